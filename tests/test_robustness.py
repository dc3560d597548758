"""The sweep over real code (``scripts/sweep.py``): a bounded sample in CI, everything on
demand (``FASTAPI_LINT_FULL_SWEEP=1``); and the sweep's own means of failing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
SCRIPT = REPOSITORY / "scripts" / "sweep.py"
sys.path.insert(0, str(SCRIPT.parent))

import sweep  # noqa: E402


def run_sweep(
    work: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 900
) -> tuple[subprocess.CompletedProcess[str], dict]:
    report = work / "sweep.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    return result, json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}


def assert_sound(result: subprocess.CompletedProcess[str], figures: dict) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    assert figures["problems"] == []
    assert figures["internal_errors"] == 0
    # The odd files of the standard library are in, and each is reported.
    assert figures["files_cpython_cannot_parse"] > 0
    assert figures["parse_errors"] + figures["file_errors"] >= figures["files_cpython_cannot_parse"]
    # The generated project gives the fix runs something to do.
    assert figures["fixes_applied"] > 0 and figures["files_changed_by_fixes"] > 0


def test_sweep_on_a_sample_of_the_standard_library_and_site_packages(tmp_path: Path) -> None:
    result, figures = run_sweep(tmp_path, "--sample", "150")
    assert_sound(result, figures)
    assert figures["corpora"]["stdlib"]["files"] >= 150
    assert figures["files"] >= 300
    assert "OK: no internal error" in result.stdout


@pytest.mark.skipif(not os.environ.get("FASTAPI_LINT_FULL_SWEEP"), reason="the full sweep takes minutes: FASTAPI_LINT_FULL_SWEEP=1 runs it")
def test_full_sweep(tmp_path: Path) -> None:
    result, figures = run_sweep(tmp_path, timeout=4 * 3600)
    print(result.stdout)
    assert_sound(result, figures)


def test_the_sweep_fails_when_the_linter_has_an_internal_error(tmp_path: Path) -> None:
    # A sitecustomize on PYTHONPATH plants a bug in the linter the sweep runs.
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "sitecustomize.py").write_text(
        "from fastapi_lint.linter import runner\n\n"
        "real = runner.lint_file\n\n\n"
        "def lint_file(path, *args, **kwargs):\n"
        "    if path.name == 'victim.py':\n"
        "        raise RuntimeError('planted bug')\n"
        "    return real(path, *args, **kwargs)\n\n\n"
        "runner.lint_file = lint_file\n",
        encoding="utf-8",
    )
    tree = tmp_path / "code"
    tree.mkdir()
    (tree / "victim.py").write_text("import os\n\nURL = os.getenv('URL')\n", encoding="utf-8")
    (tree / "bystander.py").write_text("x = 1\n", encoding="utf-8")
    arguments = ("--no-stdlib", "--no-site-packages", "--generated", "0", "--tree", str(tree))
    result, figures = run_sweep(tmp_path, *arguments, env={"PYTHONPATH": str(planted)}, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert figures["internal_errors"] == 1
    assert any("internal error while linting tree1-code/victim.py" in problem for problem in figures["problems"])
    assert "FAILED" in result.stdout


def test_the_sweep_fails_when_a_broken_file_goes_unreported(tmp_path: Path) -> None:
    # A file the linter is told to exclude is one it does not report: the sweep notices.
    tree = tmp_path / "code"
    tree.mkdir()
    (tree / "broken.py").write_text("def f(:\n", encoding="utf-8")
    (tree / "fine.py").write_text("x = 1\n", encoding="utf-8")
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "sitecustomize.py").write_text(
        "from fastapi_lint.linter import discovery\n\n"
        "real = discovery.iter_python_files\n\n\n"
        "def iter_python_files(*args, **kwargs):\n"
        "    return (path for path in real(*args, **kwargs) if path.name != 'broken.py')\n\n\n"
        "discovery.iter_python_files = iter_python_files\n",
        encoding="utf-8",
    )
    arguments = ("--no-stdlib", "--no-site-packages", "--generated", "0", "--no-fix", "--tree", str(tree))
    result, figures = run_sweep(tmp_path, *arguments, env={"PYTHONPATH": str(planted)}, timeout=300)
    assert result.returncode == 1
    problems = "\n".join(figures["problems"])
    assert "tree1-code/broken.py does not parse with CPython and is not reported" in problems
    assert "discovery: tree1-code/broken.py is not linted" in problems


def test_the_sample_is_deterministic_and_keeps_the_odd_files(tmp_path: Path) -> None:
    for index in range(50):
        path = tmp_path / "pkg" / f"module_{index:02d}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text("x = 1\n" * (index + 1), encoding="utf-8")
    (tmp_path / "test" / "tokenizedata").mkdir(parents=True)
    (tmp_path / "test" / "tokenizedata" / "odd.py").write_bytes(b"\xff")
    (tmp_path / "test" / "badsyntax_x.py").write_text("def f(:\n", encoding="utf-8")
    files = sweep.python_files(tmp_path)
    chosen = sweep.sample(tmp_path, files, 10)
    assert chosen == sweep.sample(tmp_path, files, 10)
    names = {path.as_posix() for path in chosen}
    assert {"test/tokenizedata/odd.py", "test/badsyntax_x.py"} <= names
    assert {"pkg/module_49.py", "pkg/module_48.py", "pkg/module_47.py"} <= names  # the largest
    assert len(chosen) == 10
    assert sweep.sample(tmp_path, files, None) == files
