"""Changed-lines mode (--diff-base / --since) on real git repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fastapi_lint.linter.changes import parse_diff

SCRIPT = Path(sys.executable).parent / "fastapi-lint"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "layered_app"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

CONFIG_PY = """\
import os

DEBUG = os.getenv("DEBUG")
LEVEL = os.getenv("LEVEL")
"""


def environment(tmp_path: Path) -> dict[str, str]:
    """git without the user's configuration, with an identity, and never above tmp_path."""
    return {
        **os.environ,
        "NO_COLOR": "1",
        "HOME": str(tmp_path),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CEILING_DIRECTORIES": str(tmp_path.parent),
    }


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=environment(repo.parent), check=True, capture_output=True)


def lint(repo: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the console script in ``cwd`` (default: the repository)."""
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "fastapi_lint"]
    return subprocess.run(
        [*command, "check", "--output-format", "concise", *args],
        cwd=cwd or repo,
        capture_output=True,
        text=True,
        env=environment(repo.parent),
        timeout=120,
    )


def findings(output: str) -> list[str]:
    """`path:line CODE` of each finding."""
    found = []
    for line in output.splitlines():
        location, _, rest = line.partition(": ")
        if rest.startswith("FAPI"):
            path, row = location.split(":")[:2]
            found.append(f"{path}:{row} {rest.split()[0]}")
    return found


def commit_all(repo: Path, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A committed project: app/config.py has FAPI201 on lines 3 and 4."""
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "sample"\n', encoding="utf-8")
    (root / "app" / "config.py").write_text(CONFIG_PY, encoding="utf-8")
    (root / ".gitignore").write_text("scratch/\n", encoding="utf-8")
    git(root, "init", "-q")
    commit_all(root, "base")
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_only_findings_on_changed_lines_are_kept(repo: Path) -> None:
    config = repo / "app" / "config.py"
    # Lines inserted above move both findings; only LEVEL's line is modified.
    edit(config, "import os\n", "import os\nimport sys\n\n")
    edit(config, 'os.getenv("LEVEL")', 'os.getenv("LOG_LEVEL")')
    assert findings(lint(repo).stdout) == ["app/config.py:5 FAPI201", "app/config.py:6 FAPI201"]
    result = lint(repo, "--diff-base", "HEAD")
    assert result.returncode == 1, result.stderr
    assert findings(result.stdout) == ["app/config.py:6 FAPI201"]


def test_nothing_changed_reports_nothing(repo: Path) -> None:
    result = lint(repo, "--since", "HEAD")
    assert result.returncode == 0, result.stderr
    assert findings(result.stdout) == []


def test_committed_and_staged_changes_count(repo: Path) -> None:
    edit(repo / "app" / "config.py", 'os.getenv("DEBUG")', 'os.getenv("APP_DEBUG")')
    commit_all(repo)
    (repo / "app" / "extra.py").write_text('import os\n\nTOKEN = os.environ["TOKEN"]\n', encoding="utf-8")
    git(repo, "add", "app/extra.py")
    result = lint(repo, "--diff-base", "HEAD~1")
    assert findings(result.stdout) == ["app/config.py:3 FAPI201", "app/extra.py:3 FAPI201"]
    assert findings(lint(repo, "--diff-base", "HEAD").stdout) == ["app/extra.py:3 FAPI201"]


def test_untracked_files_count_whole_but_ignored_ones_do_not(repo: Path) -> None:
    (repo / "app" / "new.py").write_text('import os\n\nA = os.getenv("A")\n', encoding="utf-8")
    (repo / "scratch").mkdir()
    (repo / "scratch" / "tmp.py").write_text('import os\n\nB = os.getenv("B")\n', encoding="utf-8")
    # Named explicitly, a gitignored file is linted, but it is not a change.
    result = lint(repo, ".", "scratch/tmp.py", "--diff-base", "HEAD")
    assert findings(lint(repo, ".", "scratch/tmp.py").stdout).count("scratch/tmp.py:3 FAPI201") == 1
    assert findings(result.stdout) == ["app/new.py:3 FAPI201"]


def test_a_rename_counts_only_where_the_text_changed(repo: Path) -> None:
    git(repo, "mv", "app/config.py", "app/settings.py")
    assert findings(lint(repo, "--diff-base", "HEAD").stdout) == []
    edit(repo / "app" / "settings.py", 'os.getenv("DEBUG")', 'os.getenv("APP_DEBUG")')
    assert findings(lint(repo, "--diff-base", "HEAD").stdout) == ["app/settings.py:3 FAPI201"]


@pytest.mark.parametrize("prefix_setting", ["diff.noprefix", "diff.mnemonicPrefix"])
def test_git_configuration_does_not_change_the_answer(repo: Path, prefix_setting: str) -> None:
    git(repo, "config", prefix_setting, "true")
    git(repo, "config", "diff.relative", "true")
    git(repo, "config", "core.quotePath", "true")
    # A folder named `b`: with prefixes left to the configuration, "+++ b/..." would be misread.
    (repo / "b").mkdir()
    (repo / "b" / "café.py").write_text('import os\n\nA = os.getenv("A")\n', encoding="utf-8")
    commit_all(repo)
    edit(repo / "b" / "café.py", 'os.getenv("A")', 'os.getenv("AA")')
    assert findings(lint(repo, "--diff-base", "HEAD").stdout) == ["b/café.py:3 FAPI201"]
    # From a subfolder, with diff.relative set, paths still resolve.
    assert findings(lint(repo, ".", "--diff-base", "HEAD", cwd=repo / "b").stdout) == ["café.py:3 FAPI201"]


def test_project_level_finding_is_kept_only_when_its_file_changed(tmp_path: Path) -> None:
    repo = tmp_path / "layered_app"
    shutil.copytree(EXAMPLE, repo)
    (repo / "app" / "__init__.py").write_text('"""The app."""\n', encoding="utf-8")
    git(repo, "init", "-q")
    commit_all(repo, "base")
    edit(repo / "app" / "db" / "session.py", "async_sessionmaker(async_engine)", "async_sessionmaker(async_engine, future=True)")
    result = lint(repo, "--diff-base", "HEAD")
    assert [finding.split()[1] for finding in findings(result.stdout)] == ["FAPI302"]
    # FAPI101 is reported on line 1, which stays as it was: the file changing is enough.
    (repo / "app" / "__init__.py").write_text('"""The app."""\n\n__all__: list[str] = []\n', encoding="utf-8")
    result = lint(repo, "--diff-base", "HEAD")
    assert sorted(finding.split()[1] for finding in findings(result.stdout)) == ["FAPI101", "FAPI302"]


def test_with_a_baseline_untouched_findings_are_not_stale(repo: Path) -> None:
    assert lint(repo, "--write-baseline", "baseline.json").returncode == 0
    edit(repo / "app" / "config.py", 'os.getenv("LEVEL")', 'os.getenv("LOG_LEVEL")')
    result = lint(repo, "--baseline", "baseline.json", "--diff-base", "HEAD")
    assert findings(result.stdout) == ["app/config.py:4 FAPI201"]
    stale = [line for line in result.stderr.splitlines() if "stale baseline entry" in line]
    assert len(stale) == 1 and "LEVEL" in stale[0]


def test_an_unknown_revision_is_an_error(repo: Path) -> None:
    result = lint(repo, "--diff-base", "no-such-branch")
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot compute changed lines\n")
    assert "unknown git revision 'no-such-branch'" in result.stderr
    assert lint(repo, "--diff-base", "--output-format=json").returncode == 2
    assert "Traceback" not in result.stderr


def test_outside_a_git_repository_is_an_error(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "pyproject.toml").write_text('[project]\nname = "sample"\n', encoding="utf-8")
    (plain / "config.py").write_text(CONFIG_PY, encoding="utf-8")
    result = lint(plain, "--diff-base", "HEAD")
    assert result.returncode == 2
    assert "not a git repository" in result.stderr
    assert "Traceback" not in result.stderr


def test_parse_diff_reads_the_new_side_of_each_hunk() -> None:
    diff = b"\n".join(
        [
            b"diff --git a/app/x.py b/app/x.py",
            b"--- a/app/x.py",
            b"+++ b/app/x.py",
            b"@@ -3 +3 @@",
            b"-old",
            b"+new",
            b"@@ -10,2 +10,0 @@",  # lines removed only
            b"-gone",
            b"-gone too",
            b"@@ -20,0 +19,2 @@",
            b"+++ an added line that looks like a header",
            b"+@@ -1 +1 @@ and one like a hunk",
            b"\\ No newline at end of file",
            b"diff --git a/removed.py b/removed.py",
            b"--- a/removed.py",
            b"+++ /dev/null",
            b"@@ -1,2 +0,0 @@",
            b"-a",
            b"-b",
            b'diff --git "a/caf\\303\\251 \\"x\\".py" "b/caf\\303\\251 \\"x\\".py"',
            b'+++ "b/caf\\303\\251 \\"x\\".py"',
            b"@@ -0,0 +1,3 @@",
            b"+1",
            b"+2",
            b"+3",
            b"",
        ]
    )
    assert parse_diff(diff) == {"app/x.py": {3, 19, 20}, 'café "x".py': {1, 2, 3}}
