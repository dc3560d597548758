"""Baselines through the console script: --write-baseline, --baseline and `baseline = ...`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "fastapi-lint"
BASELINE = ".fastapi-lint-baseline.json"

CONFIG_PY = """\
import os

DEBUG = os.getenv("DEBUG")
"""

DB_PY = """\
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine("sqlite+aiosqlite://")
SessionFactory = async_sessionmaker(engine)
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "fastapi_lint"]
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def findings(output: str) -> list[tuple[str, str]]:
    """(path, code) of each finding in concise output."""
    found = []
    for line in output.splitlines():
        location, _, rest = line.partition(": ")
        if rest.startswith("FAPI"):
            found.append((location.split(":")[0], rest.split()[0]))
    return found


def stale_warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning: stale baseline entry")]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with one FAPI201 (app/config.py:3) and one FAPI302 (app/db.py:4)."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "sample"\n', encoding="utf-8")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "config.py").write_text(CONFIG_PY, encoding="utf-8")
    (tmp_path / "app" / "db.py").write_text(DB_PY, encoding="utf-8")
    return tmp_path


def check(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run("check", "--output-format", "concise", *args, cwd=project)


def write_baseline(project: Path, *args: str) -> dict:
    result = run("check", "--write-baseline", BASELINE, *args, cwd=project)
    assert result.returncode == 0, result.stderr
    return json.loads((project / BASELINE).read_text(encoding="utf-8"))


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + textwrap.dedent(text), encoding="utf-8")


def test_write_baseline_then_nothing_is_reported(project: Path) -> None:
    assert sorted(findings(check(project).stdout)) == [("app/config.py", "FAPI201"), ("app/db.py", "FAPI302")]
    written = run("check", "--write-baseline", BASELINE, cwd=project)
    assert written.returncode == 0
    assert f"Wrote 2 findings to {BASELINE}." in written.stderr

    document = json.loads((project / BASELINE).read_text(encoding="utf-8"))
    assert document["version"] == 1 and document["tool"] == "fastapi-lint"
    entries = document["entries"]
    assert [(entry["path"], entry["code"], entry["line"]) for entry in entries] == [
        ("app/config.py", "FAPI201", 3),
        ("app/db.py", "FAPI302", 4),
    ]
    assert all(entry["fingerprint"] and "DEBUG" in entries[0]["message"] for entry in entries)

    result = check(project, "--baseline", BASELINE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert findings(result.stdout) == [] and stale_warnings(result.stderr) == []


def test_the_file_is_stable_and_relative_to_its_folder(project: Path) -> None:
    write_baseline(project)
    text = (project / BASELINE).read_bytes()
    write_baseline(project)
    assert (project / BASELINE).read_bytes() == text

    # Written from a subfolder into another: paths stay relative to the baseline's folder.
    (project / "lint").mkdir()
    result = run("check", ".", "--write-baseline", "../lint/baseline.json", cwd=project / "app")
    assert result.returncode == 0, result.stderr
    nested = json.loads((project / "lint" / "baseline.json").read_text(encoding="utf-8"))
    assert [entry["path"] for entry in nested["entries"]] == ["../app/config.py", "../app/db.py"]
    assert check(project, "--baseline", "lint/baseline.json").returncode == 0


def test_a_new_finding_is_reported(project: Path) -> None:
    write_baseline(project)
    append(project / "app" / "config.py", 'TOKEN = os.getenv("TOKEN")\n')
    result = check(project, "--baseline", BASELINE)
    assert result.returncode == 1
    assert findings(result.stdout) == [("app/config.py", "FAPI201")]
    assert "app/config.py:4:9: FAPI201 Environment variable `TOKEN`" in result.stdout


def test_code_inserted_above_a_finding_keeps_it_silenced(project: Path) -> None:
    write_baseline(project)
    for name in ("config.py", "db.py"):
        path = project / "app" / name
        path.write_text('"""Docs."""\n\nimport logging\n\nlog = logging.getLogger()\n' + path.read_text(), encoding="utf-8")
    # Reformatting the reported line does not resurrect it either.
    config = project / "app" / "config.py"
    config.write_text(config.read_text().replace('DEBUG = os.getenv("DEBUG")', 'DEBUG=os.getenv( "DEBUG" )'))
    assert len(findings(check(project).stdout)) == 2
    result = check(project, "--baseline", BASELINE)
    assert result.returncode == 0, result.stdout
    assert stale_warnings(result.stderr) == []


def test_a_changed_line_is_a_new_finding(project: Path) -> None:
    write_baseline(project)
    config = project / "app" / "config.py"
    config.write_text(config.read_text().replace('os.getenv("DEBUG")', 'os.getenv("DEBUG", "0")'))
    result = check(project, "--baseline", BASELINE)
    assert findings(result.stdout) == [("app/config.py", "FAPI201")]
    assert len(stale_warnings(result.stderr)) == 1


def test_identical_findings_are_counted(project: Path) -> None:
    write_baseline(project)
    # The same line again, further down: one entry absorbs one finding, not both.
    append(project / "app" / "config.py", 'print(DEBUG)\nDEBUG = os.getenv("DEBUG")\n')
    assert findings(check(project).stdout).count(("app/config.py", "FAPI201")) == 2
    result = check(project, "--baseline", BASELINE)
    assert result.returncode == 1
    assert findings(result.stdout) == [("app/config.py", "FAPI201")]

    write_baseline(project)
    document = json.loads((project / BASELINE).read_text(encoding="utf-8"))
    twins = [entry for entry in document["entries"] if entry["code"] == "FAPI201"]
    assert len(twins) == 2 and twins[0]["fingerprint"] == twins[1]["fingerprint"]
    assert check(project, "--baseline", BASELINE).returncode == 0


def test_a_fixed_finding_is_stale_and_write_baseline_prunes_it(project: Path) -> None:
    write_baseline(project)
    (project / "app" / "config.py").write_text("DEBUG = False\n", encoding="utf-8")
    result = check(project, "--baseline", BASELINE)
    assert result.returncode == 0
    warnings = stale_warnings(result.stderr)
    assert len(warnings) == 1
    assert "app/config.py: FAPI201 Environment variable `DEBUG`" in warnings[0]
    assert warnings[0].endswith("(line 3 at writing time)")

    pruned = write_baseline(project)
    assert [(entry["path"], entry["code"]) for entry in pruned["entries"]] == [("app/db.py", "FAPI302")]
    assert stale_warnings(check(project, "--baseline", BASELINE).stderr) == []


def test_a_deleted_file_makes_its_entries_stale(project: Path) -> None:
    write_baseline(project)
    (project / "app" / "db.py").unlink()
    warnings = stale_warnings(check(project, "--baseline", BASELINE).stderr)
    assert len(warnings) == 1 and "app/db.py: FAPI302" in warnings[0]


def test_entries_outside_the_run_are_neither_stale_nor_pruned(project: Path) -> None:
    write_baseline(project)
    # Only app/db.py is linted, then only FAPI201: app/config.py's and FAPI302's entries are not stale.
    for args in (("app/db.py",), ("--select", "FAPI201")):
        result = check(project, "--baseline", BASELINE, *args)
        assert result.returncode == 0 and stale_warnings(result.stderr) == [], args
    # Rewriting from a partial run keeps the entries it did not look at.
    (project / "app" / "config.py").write_text("DEBUG = False\n", encoding="utf-8")
    partial = write_baseline(project, "app/config.py")
    assert [(entry["path"], entry["code"]) for entry in partial["entries"]] == [("app/db.py", "FAPI302")]


def test_write_baseline_after_fix_records_what_remains(project: Path) -> None:
    document = write_baseline(project, "--fix")
    assert [entry["code"] for entry in document["entries"]] == ["FAPI201"]
    assert "expire_on_commit=False" in (project / "app" / "db.py").read_text()
    assert check(project, "--baseline", BASELINE).returncode == 0


def test_baseline_from_the_configuration(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "sample"\n\n[tool.fastapi-lint]\nbaseline = "lint/baseline.json"\n', encoding="utf-8"
    )
    assert run("check", "--write-baseline", "lint/baseline.json", cwd=project).returncode == 0
    assert check(project).returncode == 0
    # From a subfolder: the configured path is relative to pyproject.toml, findings to the cwd.
    append(project / "app" / "config.py", 'TOKEN = os.getenv("TOKEN")\n')
    result = check(project / "app", ".")
    assert result.returncode == 1
    assert findings(result.stdout) == [("config.py", "FAPI201")]
    assert stale_warnings(result.stderr) == []
    # A stale entry is shown relative to the cwd too.
    (project / "app" / "db.py").write_text("", encoding="utf-8")
    assert stale_warnings(check(project / "app", ".").stderr)[0].startswith(
        "warning: stale baseline entry (fixed?): db.py: FAPI302 "
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"version": 1, "tool": "fastapi-lint", "entries": [{"path": "a.py", "code": "FAPI201"}]}', '"fingerprint"'),
        ('{"version": 7, "tool": "fastapi-lint", "entries": []}', "version 7 is not supported"),
        ('{"version": 1, "entries": []}', "not a fastapi-lint baseline"),
        (None, "no such file (create it with --write-baseline)"),
    ],
)
def test_a_broken_baseline_is_a_clear_error(project: Path, content: str | None, message: str) -> None:
    if content is not None:
        (project / BASELINE).write_text(content, encoding="utf-8")
    result = check(project, "--baseline", BASELINE)
    assert result.returncode == 2
    assert result.stderr.startswith("error: invalid baseline\n")
    assert message in result.stderr and BASELINE in result.stderr
    assert "Traceback" not in result.stderr


def test_write_baseline_repairs_a_broken_file_and_reports_unwritable_ones(project: Path) -> None:
    (project / BASELINE).write_text("{not json", encoding="utf-8")
    assert len(write_baseline(project)["entries"]) == 2
    (project / "taken").mkdir()
    result = run("check", "--write-baseline", "taken", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot write the baseline\n") and "Traceback" not in result.stderr
