"""The console script, run as a user runs it, on a copy of the example project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "layered_app"
SCRIPT = Path(sys.executable).parent / "fastapi-lint"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "fastapi_lint"]
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def app(tmp_path: Path) -> Path:
    target = tmp_path / "layered_app"
    shutil.copytree(EXAMPLE, target)
    return target


def codes_in(output: str) -> set[str]:
    return {word for line in output.splitlines() for word in line.split() if word.startswith("FAPI") and word[4:].isdigit()}


def test_check_reports_every_rule_on_the_example(app: Path) -> None:
    result = run("check", ".", cwd=app)
    assert result.returncode == 1, result.stderr
    assert codes_in(result.stdout) == {"FAPI101", "FAPI201", "FAPI301", "FAPI302", "FAPI303", "FAPI401"}
    assert "app/db/session.py:" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("Found ")
    assert "fixable with --fix" in result.stdout.splitlines()[-1]
    assert result.stderr == ""


def test_text_line_format(app: Path) -> None:
    result = run("check", ".", "--select", "FAPI302", "--output-format", "concise", cwd=app)
    first = result.stdout.splitlines()[0]
    assert first.startswith("app/db/session.py:11:25: FAPI302 "), first
    assert "fix: " in result.stdout.splitlines()[1]
    assert result.stdout.splitlines()[-1] == "Found 1 error (1 fixable with --fix)."


def test_json_output(app: Path) -> None:
    result = run("check", "--output-format", "json", cwd=app)
    assert result.returncode == 1
    records = json.loads(result.stdout)
    assert {record["code"] for record in records} >= {"FAPI201", "FAPI302"}
    for record in records:
        assert set(record) >= {"code", "name", "message", "path", "line", "column", "end_line", "end_column", "fix"}
        assert not record["path"].startswith("/")
        assert record["line"] >= 1 and record["column"] >= 1
    fixable = [record for record in records if record["fix"]]
    assert fixable and all(record["fix"]["applicability"] in ("safe", "unsafe") for record in fixable)
    assert all(record["fix"]["edits"] and record["fix"]["message"] for record in fixable)


def test_fix_then_only_unfixable_findings_remain(app: Path) -> None:
    before = run("check", ".", "--output-format", "json", cwd=app)
    safe = [r for r in json.loads(before.stdout) if r["fix"] and r["fix"]["applicability"] == "safe"]
    assert safe
    fixed = run("check", ".", "--fix", cwd=app)
    assert fixed.returncode == 1
    assert f"({len(safe)} fixed," in fixed.stdout.splitlines()[-1]
    session_py = (app / "app/db/session.py").read_text()
    assert "async_session_factory = async_sessionmaker(async_engine, expire_on_commit=False)" in session_py
    after = run("check", ".", "--output-format", "json", cwd=app)
    remaining = json.loads(after.stdout)
    assert remaining and not [r for r in remaining if r["fix"] and r["fix"]["applicability"] == "safe"]
    again = run("check", ".", "--fix", cwd=app)
    assert "fixed" not in again.stdout.splitlines()[-1]


def test_diff_prints_and_writes_nothing(app: Path) -> None:
    snapshot = {path: path.read_bytes() for path in app.rglob("*.py")}
    result = run("check", ".", "--diff", cwd=app)
    assert result.returncode == 1
    assert "--- a/app/db/session.py" in result.stdout
    assert "+async_session_factory = async_sessionmaker(async_engine, expire_on_commit=False)" in result.stdout
    assert {path: path.read_bytes() for path in app.rglob("*.py")} == snapshot


def test_exit_zero_statistics_and_selection(app: Path) -> None:
    assert run("check", ".", "--exit-zero", cwd=app).returncode == 0
    stats = run("check", ".", "--statistics", "--select", "FAPI3", cwd=app)
    rows = [line.split("\t") for line in stats.stdout.splitlines()]
    assert {row[1] for row in rows} == {"FAPI301", "FAPI302", "FAPI303"}
    ignored = run("check", ".", "--ignore", "FAPI1,FAPI2,FAPI3,FAPI4", cwd=app)
    assert ignored.returncode == 0 and ignored.stdout.strip() == "All checks passed!"


def test_configuration_errors_are_reported_all_at_once(app: Path) -> None:
    (app / "pyproject.toml").write_text(
        '[tool.fastapi-lint]\nselect = ["FAPI999"]\nfoo = 1\nignore = "FAPI201"\n'
        '[tool.fastapi-lint.rules.FAPI302]\ninclude-sync = "yes"\n'
    )
    result = run("check", ".", cwd=app)
    assert result.returncode == 2
    assert result.stdout == ""
    for fragment in ("FAPI999", "'foo'", "ignore", "include-sync"):
        assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_pyproject(app: Path) -> None:
    (app / "pyproject.toml").write_text("[tool.fastapi-lint\nselect = [")
    result = run("check", ".", cwd=app)
    assert result.returncode == 2
    assert "not valid TOML" in result.stderr and "Traceback" not in result.stderr


def test_configuration_selects_and_sets_options(app: Path) -> None:
    (app / "pyproject.toml").write_text(
        '[tool.fastapi-lint]\nselect = ["FAPI3"]\nextend-exclude = ["app/db/*"]\n'
        '[tool.fastapi-lint.per-file-ignores]\n"app/api/*" = ["FAPI303"]\n'
    )
    result = run("check", ".", cwd=app)
    assert result.returncode == 0, result.stdout


def test_unknown_codes_on_the_command_line(app: Path) -> None:
    result = run("check", ".", "--select", "FAPI7", cwd=app)
    assert result.returncode == 2 and "FAPI7" in result.stderr and result.stdout == ""


def test_syntax_error_and_undecodable_files_do_not_stop_the_run(app: Path) -> None:
    (app / "app" / "broken.py").write_text("def f(:\n    pass\n")
    (app / "app" / "latin.py").write_bytes(b"x = '\xe9'\n")
    result = run("check", ".", "--select", "FAPI000,FAPI302", cwd=app)
    assert result.returncode == 1
    assert "app/broken.py:1:7: FAPI000 SyntaxError: invalid syntax" in result.stdout
    assert "FAPI302" in result.stdout
    assert "error: app/latin.py: cannot decode" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_path_alone_is_not_reported_as_all_checks_passed(tmp_path: Path) -> None:
    result = run("check", "nope.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "error: nope.py: no such file or directory" in result.stderr
    assert "All checks passed!" not in result.stdout
    assert result.stdout.strip() == "No errors found, but 1 problem above kept files from being checked or fixed."


def test_missing_path(app: Path) -> None:
    result = run("check", "nope.py", "app", "--select", "FAPI302", cwd=app)
    assert result.returncode == 1
    assert "error: nope.py: no such file or directory" in result.stderr
    assert "FAPI302" in result.stdout


def test_noqa_silences_a_finding(app: Path) -> None:
    path = app / "app/db/session.py"
    path.write_text(path.read_text().replace("async_sessionmaker(async_engine)", "async_sessionmaker(async_engine)  # noqa: FAPI302"))
    result = run("check", ".", "--select", "FAPI302", cwd=app)
    assert result.returncode == 0, result.stdout


def test_gitignored_and_default_excluded_files_are_skipped(app: Path) -> None:
    (app / ".gitignore").write_text("generated/\n")
    for folder in ("generated", ".venv/lib", "node_modules/x"):
        (app / folder).mkdir(parents=True)
        (app / folder / "bad.py").write_text("def f(:\n")
    result = run("check", ".", "--select", "FAPI000", cwd=app)
    assert result.returncode == 0, result.stdout
    explicit = run("check", "generated/bad.py", "--select", "FAPI000", cwd=app)
    assert explicit.returncode == 1
    forced = run("check", "generated/bad.py", "--select", "FAPI000", "--force-exclude", cwd=app)
    assert forced.returncode == 0


def test_rule_documentation() -> None:
    doc = run("rule", "FAPI302", cwd=EXAMPLE)
    assert doc.returncode == 0
    assert doc.stdout.startswith("# missing-expire-on-commit (FAPI302)")
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety", "## Options"):
        assert section in doc.stdout
    listing = run("rule", "--all", cwd=EXAMPLE)
    assert [line.split()[0] for line in listing.stdout.splitlines()] == [
        "FAPI000", "FAPI100", "FAPI101", "FAPI201", "FAPI301", "FAPI302", "FAPI303", "FAPI401"
    ]
    unknown = run("rule", "FAPI999", cwd=EXAMPLE)
    assert unknown.returncode == 2 and "unknown rule code" in unknown.stderr


def test_python_dash_m(app: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fastapi_lint", "check", ".", "--select", "FAPI302"],
        cwd=app, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 1 and "FAPI302" in result.stdout


def test_a_run_that_parses_nothing_does_not_import_libcst(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "plain.py").write_text("def add(a, b):\n    return a + b\n")
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from fastapi_lint.linter.config import Settings\n"
        "from fastapi_lint.linter.engine import Engine\n"
        "result = Engine(Settings()).run([Path('.')])\n"
        "assert result.files_checked == 1 and not result.diagnostics\n"
        "print('libcst._nodes' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_diff_of_a_missing_path_is_an_error_like_check(tmp_path: Path) -> None:
    checked = run("check", "--no-cache", "no-such-dir", cwd=tmp_path)
    previewed = run("check", "--no-cache", "--diff", "no-such-dir", cwd=tmp_path)
    assert "no such file or directory" in previewed.stderr
    assert previewed.returncode == checked.returncode == 1
