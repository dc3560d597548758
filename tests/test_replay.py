"""The run record: an unchanged `check` is replayed without linting, and any change to
what the run observed (a file's bytes, a folder's entries, a probed path, the command
line, the environment) makes the next run lint again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from conftest import write_project
from fastapi_lint.linter import observe
from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.engine import Engine, RunOptions
from fastapi_lint.linter.replay import Record, recordable
from test_cache import CHEAP_SERVICE, HEAVY_SERVICE, ROUTER

CONFIG = """\
import os

DATABASE_URL = os.getenv("DATABASE_URL")
"""


class Run:
    def __init__(self, completed: subprocess.CompletedProcess[str]) -> None:
        self.code = completed.returncode
        self.stdout = completed.stdout
        # `-X importtime` lists every module imported: the engine means the run linted.
        lines = completed.stderr.splitlines()
        self.linted = any("fastapi_lint.linter.engine" in line for line in lines)
        self.stderr = "\n".join(line for line in lines if not line.startswith("import time:"))


def check(root: Path, *arguments: str, env: dict[str, str] | None = None) -> Run:
    command = [sys.executable, "-X", "importtime", "-m", "fastapi_lint", "check", *arguments]
    environment = {name: value for name, value in os.environ.items() if name not in ("NO_COLOR", "FORCE_COLOR", "CI_PROJECT_DIR")}
    environment.update(env or {})
    return Run(subprocess.run(command, cwd=root, capture_output=True, text=True, env=environment, timeout=120))


@pytest.fixture
def app(tmp_path: Path) -> Path:
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/routers/__init__.py": "",
            "app/routers/users.py": ROUTER,
            "app/services/__init__.py": "",
            "app/services/mail.py": HEAVY_SERVICE,
            "app/config.py": CONFIG,
        },
    )
    return tmp_path


def records(root: Path) -> list[Path]:
    return sorted(root.glob(".fastapi_lint_cache/*/runs/*"))


def test_an_unchanged_run_is_replayed_without_linting(app: Path) -> None:
    first = check(app, ".")
    assert first.linted and first.code == 1
    assert "FAPI401" in first.stdout and "FAPI201" in first.stdout
    assert len(records(app)) == 1
    second = check(app, ".")
    assert not second.linted
    assert (second.code, second.stdout, second.stderr) == (first.code, first.stdout, first.stderr)


def _edit_service(root: Path) -> None:
    (root / "app/services/mail.py").write_text(CHEAP_SERVICE, encoding="utf-8")


def _add_module(root: Path) -> None:
    (root / "app/services/settings.py").write_text('import os\nKEY = os.environ["KEY"]\n', encoding="utf-8")


def _delete_module(root: Path) -> None:
    (root / "app/config.py").unlink()


def _ignore_in_gitignore(root: Path) -> None:
    (root / ".gitignore").write_text("app/config.py\n", encoding="utf-8")


def _configure(root: Path) -> None:
    with open(root / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write('\n[tool.fastapi-lint]\nignore = ["FAPI201"]\n')


def _make_package_a_namespace(root: Path) -> None:
    # Module names change (`services.mail` instead of `app.services.mail`): a probed path.
    (root / "app/__init__.py").unlink()


def _rename_module(root: Path) -> None:
    (root / "app/config.py").rename(root / "app/settings.py")


@pytest.mark.parametrize(
    "change",
    [_edit_service, _add_module, _delete_module, _ignore_in_gitignore, _configure, _make_package_a_namespace, _rename_module],
)
def test_any_change_to_what_the_run_saw_lints_again(app: Path, change: Callable[[Path], None]) -> None:
    check(app, ".")
    change(app)
    after = check(app, ".")
    assert after.linted
    fresh = check(app, ".", "--no-cache")
    assert (after.code, after.stdout) == (fresh.code, fresh.stdout)
    again = check(app, ".")
    assert not again.linted and again.stdout == fresh.stdout


def test_a_configuration_appearing_above_the_project_lints_again(tmp_path: Path) -> None:
    project = tmp_path / "service"
    project.mkdir()
    (project / "main.py").write_text(CONFIG, encoding="utf-8")
    first = check(project, ".")
    assert "FAPI201" in first.stdout
    (tmp_path / "pyproject.toml").write_text('[tool.fastapi-lint]\nignore = ["FAPI201"]\n', encoding="utf-8")
    after = check(project, ".")
    assert after.linted and "FAPI201" not in after.stdout


@pytest.mark.parametrize(
    "arguments, env",
    [
        ((".", "--output-format", "json"), None),
        (("app/config.py",), None),
        ((".", "--select", "FAPI401"), None),
        ((".",), {"NO_COLOR": "1"}),
        ((".",), {"CI_PROJECT_DIR": "/elsewhere"}),
    ],
)
def test_another_command_line_or_environment_is_another_record(
    app: Path, arguments: tuple[str, ...], env: dict[str, str] | None
) -> None:
    check(app, ".")
    other = check(app, *arguments, env=env)
    assert other.linted
    assert not check(app, *arguments, env=env).linted


@pytest.mark.parametrize(
    "arguments",
    [("--fix",), ("--diff",), ("--no-cache",), ("--add-noqa",), ("--output-file", "report.txt"), ("--statistics", "--fix")],
)
def test_runs_that_write_or_skip_the_cache_are_never_recorded(app: Path, arguments: tuple[str, ...]) -> None:
    check(app, ".", *arguments)
    assert records(app) == []


def test_no_cache_never_reads_a_record(app: Path) -> None:
    check(app, ".")
    assert check(app, ".", "--no-cache").linted


def test_a_file_that_cannot_be_decoded_is_reported_again_until_it_changes(app: Path) -> None:
    broken = app / "app/broken.py"
    broken.write_bytes(b"x = '\xff\xfe'\n")
    first = check(app, ".")
    assert "broken.py" in first.stderr and first.code == 1
    again = check(app, ".")
    assert not again.linted
    assert (again.code, again.stdout, again.stderr) == (first.code, first.stdout, first.stderr)
    broken.write_text("x = 1\n", encoding="utf-8")
    fixed = check(app, ".")
    assert fixed.linted and "broken.py" not in fixed.stderr


def test_a_missing_path_is_reported_again_until_it_appears(app: Path) -> None:
    first = check(app, "app/missing.py", "app/config.py")
    assert "app/missing.py: no such file or directory" in first.stderr
    assert not check(app, "app/missing.py", "app/config.py").linted
    (app / "app/missing.py").write_text(CONFIG, encoding="utf-8")
    appeared = check(app, "app/missing.py", "app/config.py")
    assert appeared.linted and "no such file" not in appeared.stderr


def test_a_run_that_met_something_volatile_is_not_recorded() -> None:
    observations = observe.Observations()
    observations.add(observe.READ, "/a.py", "1")
    assert observations.consistent() is not None
    observe.current = observations
    try:
        observe.volatile()
    finally:
        observe.current = None
    assert observations.consistent() is None


def test_an_unreadable_file_holds_while_it_fails_the_same_way(tmp_path: Path) -> None:
    folder = tmp_path / "folder.py"
    folder.mkdir()
    observations = observe.Observations()
    observe.current = observations
    try:
        with pytest.raises(OSError):
            from fastapi_lint.linter.source import read_bytes

            read_bytes(folder)
    finally:
        observe.current = None
    ((kind, path, value),) = observations.journal
    assert kind == observe.READ and observe.still_holds(kind, path, value)
    folder.rmdir()
    assert not observe.still_holds(kind, path, value)
    folder.write_text("x = 1\n", encoding="utf-8")
    assert not observe.still_holds(kind, path, value)


def test_a_damaged_record_is_ignored(app: Path) -> None:
    first = check(app, ".")
    (record,) = records(app)
    data = bytearray(record.read_bytes())
    data[-5] ^= 1
    record.write_bytes(bytes(data))
    after = check(app, ".")
    assert after.linted and after.stdout == first.stdout
    record.write_bytes(b"not a record")
    assert check(app, ".").linted


def test_the_record_is_found_with_a_cache_dir(app: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    cache = tmp_path_factory.mktemp("elsewhere")
    first = check(app, ".", "--cache-dir", str(cache))
    second = check(app, ".", f"--cache-dir={cache}")
    assert second.linted  # another command line
    third = check(app, ".", "--cache-dir", str(cache))
    assert not third.linted and third.stdout == first.stdout
    assert records(app) == []


def test_record_round_trip_and_garbage() -> None:
    record = Record(1, [("read", "/a/b.py", "0" * 32), ("isfile", "/a/c", "0")], [(1, "one\ntwo"), (2, "é\n"), (1, "")])
    decoded = Record.decode(record.encode())
    assert decoded is not None
    assert (decoded.exit_code, decoded.observations, decoded.outputs) == (record.exit_code, record.observations, record.outputs)
    empty = Record.decode(Record(0, [], []).encode())
    assert empty is not None and empty.outputs == [] and empty.observations == []
    encoded = record.encode()
    for cut in (0, 10, len(encoded) // 2, len(encoded) - 1):
        assert Record.decode(encoded[:cut]) is None
    assert Record.decode(b"") is None


def test_only_check_runs_without_writes_are_candidates() -> None:
    assert recordable(["check", ".", "--output-format", "json"])
    assert not recordable(["rule", "FAPI201"])
    assert not recordable(["check", "--fix", "."])
    assert not recordable(["check", "--diff-base=HEAD"])
    assert not recordable(["check", ".", "--", "--fix"])  # conservative: never wrong


def test_worker_processes_send_back_what_they_read(tmp_path: Path) -> None:
    files = {"app/__init__.py": ""}
    files.update({f"app/module_{number}.py": CONFIG for number in range(60)})
    write_project(tmp_path, files)
    observe.current = observations = observe.Observations()
    try:
        engine = Engine(Settings(base_directory=tmp_path), RunOptions(jobs=2), cwd=tmp_path)
        result = engine.run([tmp_path])
    finally:
        observe.current = None
    assert len([d for d in result.diagnostics if d.code == "FAPI201"]) == 60
    read = {path for kind, path, _ in observations.journal if kind == observe.READ}
    assert {str(tmp_path / f"app/module_{number}.py") for number in range(60)} <= read
    assert (observe.LISTING, str(tmp_path / "app"), observe.listing_digest(list(os.scandir(tmp_path / "app")))) in (
        observations.journal
    )


def test_a_run_that_read_a_file_twice_differently_is_not_consistent() -> None:
    observations = observe.Observations()
    observations.add(observe.READ, "/a.py", "1")
    observations.add(observe.READ, "/a.py", "1")
    assert observations.consistent() == {(observe.READ, "/a.py", "1"): None}
    observations.add(observe.READ, "/a.py", "2")
    assert observations.consistent() is None
