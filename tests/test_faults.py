"""Fixes under faults: a run killed mid-write, a file changed by another process between
read and write, read-only files and folders, and two runs at once on one project."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from fastapi_lint.linter import engine as engine_module
from fastapi_lint.linter.cache import load as load_cache
from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.engine import Engine, RunOptions
from test_bad_input import FIXABLE, SCRIPT, errors, run_cli


def fixable_module(number: int) -> tuple[str, str]:
    """A module with one FAPI302 finding (safe fix), and the same module fixed."""
    text = f'"""Sessions of shard {number}."""\n{FIXABLE}\n\ndef shard() -> int:\n    return {number}\n'
    return text, text.replace("async_sessionmaker(engine)", "async_sessionmaker(engine, expire_on_commit=False)")


def make_project(root: Path, count: int) -> dict[Path, tuple[str, str]]:
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "sample"\n', encoding="utf-8")
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    expected = {}
    for number in range(count):
        path = root / "app" / f"shard_{number:04d}.py"
        original, fixed = fixable_module(number)
        path.write_text(original, encoding="utf-8")
        expected[path] = (original, fixed)
    return expected


def states(expected: dict[Path, tuple[str, str]]) -> dict[str, list[Path]]:
    """Which files are exactly the original, exactly fixed, or anything else."""
    found: dict[str, list[Path]] = {"original": [], "fixed": [], "other": []}
    for path, (original, fixed) in expected.items():
        text = path.read_bytes().decode("utf-8", "replace")
        found["original" if text == original else "fixed" if text == fixed else "other"].append(path)
    return found


def temporary_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.name.endswith(".fapi-tmp")]


def start_fix_run(root: Path) -> subprocess.Popen[bytes]:
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "fastapi_lint"]
    return subprocess.Popen(
        [*command, "check", "--fix", "--no-cache", "-j", "1"],
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )


def interrupt_mid_run(root: Path, expected: dict[Path, tuple[str, str]], signal_number: int) -> subprocess.Popen[bytes]:
    """Start a ``--fix`` run and send it ``signal_number`` once it has written a few files."""
    process = start_fix_run(root)
    # Files are fixed in path order: once the fourth is written, the run is mid-way.
    watched = sorted(expected)[3]
    fixed_text = expected[watched][1]
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if watched.read_text(encoding="utf-8") == fixed_text:
            break
        time.sleep(0.005)
    process.send_signal(signal_number)
    process.wait(timeout=60)
    return process


def test_killing_a_fix_run_leaves_every_file_old_or_new(tmp_path: Path) -> None:
    expected = make_project(tmp_path, 300)
    process = interrupt_mid_run(tmp_path, expected, signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    found = states(expected)
    assert found["other"] == []
    assert len(found["fixed"]) >= 4 and found["original"], (len(found["fixed"]), len(found["original"]))
    # A temporary file may stay behind a SIGKILL; it is never taken for a module.
    assert all(not path.name.endswith((".py", ".pyi")) for path in temporary_files(tmp_path))
    # The next run finishes the job.
    result = run_cli("check", "--fix", "--no-cache", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(states(expected)["fixed"]) == len(expected)


def test_ctrl_c_during_a_fix_run_leaves_every_file_old_or_new(tmp_path: Path) -> None:
    expected = make_project(tmp_path, 300)
    process = interrupt_mid_run(tmp_path, expected, signal.SIGINT)
    assert process.returncode not in (0, None), "the run finished before it could be interrupted"
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert "Traceback" not in stderr, stderr
    found = states(expected)
    assert found["other"] == []
    assert found["fixed"] and found["original"]
    assert temporary_files(tmp_path) == []


def test_a_file_changed_between_read_and_write_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = make_project(tmp_path, 2)
    first, second = sorted(expected)
    theirs = "# Rewritten by another process while the linter was fixing.\n"
    real_write = engine_module.write_atomically

    def write_after_someone_else(path: Path, *args: object, **kwargs: object) -> None:
        if path == first:
            first.write_text(theirs, encoding="utf-8")
        real_write(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_module, "write_atomically", write_after_someone_else)
    result = Engine(Settings(), RunOptions(fix=True), cwd=tmp_path).run([tmp_path])
    assert [(error.path, error.message) for error in result.errors] == [
        ("app/shard_0000.py", "fix not written: changed on disk while linting; not overwritten")
    ]
    assert first.read_text(encoding="utf-8") == theirs
    assert second.read_text(encoding="utf-8") == expected[second][1]
    assert temporary_files(tmp_path) == []


def test_read_only_files_are_reported_and_left_alone(tmp_path: Path) -> None:
    expected = make_project(tmp_path, 2)
    locked, other = sorted(expected)
    locked.chmod(0o444)
    before = locked.stat()
    result = run_cli("check", "--fix", "--output-format", "concise", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert errors(result) == ["error: app/shard_0000.py: fix not written: the file is read-only"]
    # Reported as still there, since it was not fixed.
    assert "app/shard_0000.py:4:16: FAPI302" in result.stdout
    after = locked.stat()
    assert locked.read_text(encoding="utf-8") == expected[locked][0]
    assert (stat.S_IMODE(after.st_mode), after.st_mtime_ns, after.st_ino) == (0o444, before.st_mtime_ns, before.st_ino)
    assert other.read_text(encoding="utf-8") == expected[other][1]


def test_a_folder_where_no_file_can_be_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = make_project(tmp_path, 1)
    (path,) = expected
    if os.geteuid() != 0:
        path.parent.chmod(0o555)
    else:
        # Root may write in any folder: make the operating system refuse instead.
        def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(tempfile, "mkstemp", refuse)  # fixes import it when writing
    try:
        result = Engine(Settings(), RunOptions(fix=True), cwd=tmp_path).run([tmp_path])
    finally:
        path.parent.chmod(0o755)
    assert [(error.path, error.message) for error in result.errors] == [
        ("app/shard_0000.py", "fix not written: cannot create a file beside it: Permission denied")
    ]
    assert [d.code for d in result.diagnostics] == ["FAPI302"]
    assert path.read_text(encoding="utf-8") == expected[path][0]


def _run_at_once(root: Path, *argument_lists: list[str]) -> list[subprocess.CompletedProcess[str]]:
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "fastapi_lint"]
    env = {**os.environ, "NO_COLOR": "1"}
    processes = []
    outputs = []
    for arguments in argument_lists:
        out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        processes.append(subprocess.Popen([*command, *arguments], cwd=root, stdout=out, stderr=err, env=env))
        outputs.append((out, err))
    results = []
    for process, (out, err), arguments in zip(processes, outputs, argument_lists):
        process.wait(timeout=300)
        out.seek(0)
        err.seek(0)
        results.append(subprocess.CompletedProcess(arguments, process.returncode, out.read().decode(), err.read().decode()))
        out.close()
        err.close()
    return results


def _findings(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str, int]]:
    return sorted((record["code"], record["path"], record["line"]) for record in json.loads(result.stdout))


@pytest.mark.parametrize("split", [False, True], ids=["same-files", "pre-commit-halves"])
def test_two_fix_runs_at_once_corrupt_neither_files_nor_cache(tmp_path: Path, split: bool) -> None:
    expected = make_project(tmp_path, 80)
    (tmp_path / "app" / "settings.py").write_text('import os\n\nURL = os.getenv("URL")\n', encoding="utf-8")
    paths = sorted(path.relative_to(tmp_path).as_posix() for path in expected)
    if split:  # as pre-commit runs hooks in parallel, on halves of the changed files
        halves = [paths[::2] + ["app/settings.py"], paths[1::2] + ["app/settings.py"]]
    else:
        halves = [["."], ["."]]
    base = ["check", "--fix", "--force-exclude", "--output-format", "json", "-j", "2"]
    for _ in range(2):
        results = _run_at_once(tmp_path, *([*base, *half] for half in halves))
        for result in results:
            assert result.returncode in (0, 1), result.stderr
            assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
            # The only complaint allowed: the other run fixed a file first.
            for line in errors(result):
                assert line.endswith(": fix not written: changed on disk while linting; not overwritten"), line
        assert states(expected)["fixed"] == sorted(expected)
        assert temporary_files(tmp_path) == []
    caches = list((tmp_path / ".fastapi_lint_cache").rglob("*.json"))
    assert caches and all(json.loads(path.read_text(encoding="utf-8"))["files"] for path in caches)
    assert all(load_cache(path).files for path in caches)
    # The cache they left gives what a run without it gives.
    cached = run_cli("check", "--output-format", "json", cwd=tmp_path)
    uncached = run_cli("check", "--output-format", "json", "--no-cache", cwd=tmp_path)
    assert _findings(cached) == _findings(uncached) == [("FAPI201", "app/settings.py", 3)]
