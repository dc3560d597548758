"""Bad input, one test each: a clear message, the rest of the run completes, the
documented exit code (0 clean, 1 findings or unreadable files, 2 configuration or
internal error), and no file changed unless a fix was asked for and succeeded.

Each test lints a small project holding one good module with a known finding beside
the bad input, through the console script, as a user runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
import pytest

SCRIPT = Path(sys.executable).parent / "fastapi-lint"

GOOD = 'import os\n\nURL = os.getenv("URL")\n'
GOOD_FINDING = "app/good.py:3:7: FAPI201"
FIXABLE = "from sqlalchemy.ext.asyncio import async_sessionmaker\n\nSessionLocal = async_sessionmaker(engine)\n"
FIXED = "from sqlalchemy.ext.asyncio import async_sessionmaker\n\nSessionLocal = async_sessionmaker(engine, expire_on_commit=False)\n"


def run_cli(
    *args: str, cwd: Path, timeout: float = 240, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "fastapi_lint"]
    env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [*command, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout, stdin=subprocess.DEVNULL
    )


def snapshot(root: Path) -> dict[str, tuple[bytes | str, int, int]]:
    """Every entry under ``root``: its bytes (a link's target), mode and modification time."""
    state: dict[str, tuple[bytes | str, int, int]] = {}
    for directory, folders, files in os.walk(root):
        for name in files + [folder for folder in folders if os.path.islink(os.path.join(directory, folder))]:
            path = Path(directory, name)
            info = path.lstat()
            if path.is_symlink():
                content: bytes | str = os.readlink(path)
            elif path.is_file():
                content = path.read_bytes()
            else:
                content = "special"
            state[path.relative_to(root).as_posix()] = (content, info.st_mode, info.st_mtime_ns)
    return state


def without_cache(state: dict[str, tuple[bytes | str, int, int]]) -> dict[str, tuple[bytes | str, int, int]]:
    return {path: value for path, value in state.items() if not path.startswith(".fastapi_lint_cache/")}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "sample"\n', encoding="utf-8")
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    (root / "app" / "good.py").write_text(GOOD, encoding="utf-8")
    return root


def check(project: Path, *args: str, exit_code: int = 1) -> subprocess.CompletedProcess[str]:
    """Lint the project; the run must complete, report the good module and exit as documented."""
    result = run_cli("check", "--output-format", "concise", *args, cwd=project)
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert GOOD_FINDING in result.stdout, result.stdout + result.stderr
    assert result.returncode == exit_code, result.stdout + result.stderr
    return result


def check_unchanged(project: Path, *args: str, exit_code: int = 1) -> subprocess.CompletedProcess[str]:
    before = without_cache(snapshot(project))
    result = check(project, *args, exit_code=exit_code)
    assert without_cache(snapshot(project)) == before
    return result


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


# -- syntax ---------------------------------------------------------------------------


def test_syntax_error_is_fapi000_with_cpythons_message(project: Path) -> None:
    (project / "app" / "broken.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    result = check_unchanged(project)
    assert "app/broken.py:1:7: FAPI000 SyntaxError: invalid syntax" in result.stdout


def test_syntax_error_in_a_file_the_rules_would_parse(project: Path) -> None:
    # The trigger word sends the file to LibCST; CPython's message is still the one shown.
    (project / "app" / "broken.py").write_text("import os\nx = os.getenv('A'\n", encoding="utf-8")
    result = check_unchanged(project, "--fix")
    assert "app/broken.py:2:14: FAPI000 SyntaxError: '(' was never closed" in result.stdout


@pytest.mark.parametrize("warnings", ["default", "error"])
def test_code_cpython_warns_about_is_neither_an_error_nor_noise(project: Path, warnings: str) -> None:
    # CPython warns on ``1if`` and (from 3.12) on ``"\\d"``; those warnings are the code's, not the linter's.
    (project / "app" / "warns.py").write_text('x = 1if True else 2\nPATTERN = "\\d+"\n', encoding="utf-8")
    before = snapshot(project)
    result = run_cli("check", "--output-format", "concise", "--no-cache", cwd=project, env={"PYTHONWARNINGS": warnings})
    assert result.returncode == 1 and GOOD_FINDING in result.stdout
    assert "app/warns.py" not in result.stdout
    assert result.stderr == ""
    assert snapshot(project) == before


def test_null_bytes(project: Path) -> None:
    (project / "app" / "nul.py").write_bytes(b"import os\nx = 1\x00\n")
    result = check_unchanged(project, "--fix")
    assert errors(result) == ["error: app/nul.py: file contains a null byte; not a Python source file"]


def test_empty_file(project: Path) -> None:
    (project / "app" / "empty.py").write_bytes(b"")
    result = check_unchanged(project, "--fix")
    assert "app/empty.py" not in result.stdout + result.stderr


# -- encodings ------------------------------------------------------------------------


def test_utf8_bom_is_read_and_kept_by_fixes(project: Path) -> None:
    path = project / "app" / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf" + FIXABLE.encode())
    result = check_unchanged(project)
    assert "app/bom.py:3:16: FAPI302" in result.stdout
    check(project, "--fix")
    assert path.read_bytes() == b"\xef\xbb\xbf" + FIXED.encode()


@pytest.mark.parametrize("encoding, text", [("latin-1", "caf\xe9"), ("cp1252", "\u20ac 5")])
def test_coding_cookie_is_honoured_and_kept_by_fixes(project: Path, encoding: str, text: str) -> None:
    path = project / "app" / "legacy.py"
    source = f"# -*- coding: {encoding} -*-\n{FIXABLE}LABEL = '{text}'\n"
    path.write_bytes(source.encode(encoding))
    result = check_unchanged(project)
    assert "app/legacy.py:4:16: FAPI302" in result.stdout
    check(project, "--fix")
    assert path.read_bytes() == source.replace("async_sessionmaker(engine)", "async_sessionmaker(engine, expire_on_commit=False)").encode(
        encoding
    )


def test_non_utf8_bytes_without_a_cookie(project: Path) -> None:
    (project / "app" / "latin.py").write_bytes(b"NAME = 'caf\xe9'\n")
    (project / "app" / "later.py").write_bytes(b"import os\nNAME = os.getenv('caf\xe9')\n")
    result = check_unchanged(project, "--fix")
    assert sorted(errors(result)) == [
        "error: app/later.py: cannot decode as utf-8: invalid continuation byte (byte 0xe9 on line 2)",
        "error: app/latin.py: cannot decode: not valid UTF-8 and no PEP 263 coding declaration",
    ]


def test_unknown_coding_cookie(project: Path) -> None:
    (project / "app" / "odd.py").write_bytes(b"# coding: klingon\nx = 1\n")
    result = check_unchanged(project)
    assert errors(result) == ["error: app/odd.py: cannot decode: unknown encoding: klingon"]


# -- line endings and whitespace --------------------------------------------------------

MULTILINE = "from sqlalchemy.ext.asyncio import async_sessionmaker\n\nSessionLocal = async_sessionmaker(\n    engine,  # the engine\n    class_=AsyncSession,\n)\n"
MULTILINE_FIXED = MULTILINE.replace("    class_=AsyncSession,\n", "    class_=AsyncSession,\n    expire_on_commit=False,\n")


def test_crlf_line_endings_are_kept_by_fixes(project: Path) -> None:
    path = project / "app" / "windows.py"
    path.write_bytes(MULTILINE.replace("\n", "\r\n").encode())
    result = check(project, "--fix")
    assert "Found 2 errors (1 fixed, 1 remaining)." in result.stdout
    assert path.read_bytes() == MULTILINE_FIXED.replace("\n", "\r\n").encode()


def test_old_mac_line_endings_are_kept_by_fixes(project: Path) -> None:
    # A lone CR ends a line for CPython and LibCST, so for the positions of findings and fixes.
    path = project / "app" / "classic.py"
    path.write_bytes(MULTILINE.replace("\n", "\r").encode())
    result = check(project, "--fix")
    assert "Found 2 errors (1 fixed, 1 remaining)." in result.stdout
    assert path.read_bytes() == MULTILINE_FIXED.replace("\n", "\r").encode()


def test_mixed_line_endings_are_kept_line_by_line(project: Path) -> None:
    # The first line ends in LF (LibCST's default for the file), the call's lines in CRLF:
    # the inserted line takes the ending of the lines around it.
    lines = MULTILINE.splitlines(keepends=True)
    mixed = "".join(lines[:2]) + "".join(line.replace("\n", "\r\n") for line in lines[2:])
    path = project / "app" / "mixed.py"
    path.write_bytes(mixed.encode())
    check(project, "--fix")
    fixed_lines = MULTILINE_FIXED.splitlines(keepends=True)
    assert path.read_bytes() == ("".join(fixed_lines[:2]) + "".join(line.replace("\n", "\r\n") for line in fixed_lines[2:])).encode()


def test_tabs_and_form_feeds(project: Path) -> None:
    path = project / "app" / "tabs.py"
    source = "from sqlalchemy.ext.asyncio import async_sessionmaker\n\x0c\nif True:\n\tSessionLocal = async_sessionmaker(engine)\n\x0c\nx = 1\n"
    path.write_text(source, encoding="utf-8")
    result = check_unchanged(project)
    # Columns count characters: the tab is one.
    assert "app/tabs.py:4:17: FAPI302" in result.stdout
    check(project, "--fix")
    assert path.read_text(encoding="utf-8") == source.replace("(engine)", "(engine, expire_on_commit=False)")


# -- size and depth --------------------------------------------------------------------


def test_a_50000_line_file(project: Path) -> None:
    lines = ["from sqlalchemy.ext.asyncio import async_sessionmaker", ""]
    lines += [f"value_{number} = {number}" for number in range(49_997)]
    lines.append("SessionLocal = async_sessionmaker(engine)")
    path = project / "app" / "big.py"
    source = "\n".join(lines) + "\n"
    path.write_text(source, encoding="utf-8")
    assert source.count("\n") == 50_000
    result = check(project, "--fix")
    assert "Found 2 errors (1 fixed, 1 remaining)." in result.stdout
    assert path.read_text(encoding="utf-8") == source.replace("(engine)", "(engine, expire_on_commit=False)")


@pytest.mark.parametrize(
    "name, body",
    [
        # Each overflows the stack of LibCST's native parser in well under a second.
        ("unary", "x = " + "-" * 50_000 + "1\n"),
        ("brackets_over_lines", "x = " + "(\n" * 1_500 + "1" + ")" * 1_500 + "\n"),
        ("elif_chain", "if a:\n    pass\n" + "elif b:\n    pass\n" * 10_000),
    ],
)
def test_code_that_crashes_the_native_parser_is_a_per_file_error(project: Path, name: str, body: str) -> None:
    # The trigger word makes the rules parse the file with LibCST; without isolation the
    # crash would kill the whole run.
    (project / "app" / "deep.py").write_text("from sqlalchemy.orm import Session\n" + body, encoding="utf-8")
    result = check_unchanged(project, "--fix", "--no-cache")
    assert errors(result) == [
        "error: app/deep.py: LibCST's parser crashed on this file (an expression chained or nested too deeply); not analysed"
    ]


def test_an_isolated_file_whose_rules_read_another_isolated_module(project: Path) -> None:
    # Both files have a line long enough to be parsed in a child process; the rules of
    # the first read the second (where ``SessionLocal`` comes from) from inside that child.
    padding = 'PADDING = "' + "x" * 6_000 + '"\n'
    (project / "app" / "db.py").write_text(f"from sqlalchemy.orm import sessionmaker\n{padding}SessionLocal = sessionmaker()\n")
    (project / "app" / "users.py").write_text(f"from app.db import SessionLocal\n{padding}db = SessionLocal()\n")
    result = check_unchanged(project, "--no-cache")
    assert "app/users.py:3:6: FAPI301" in result.stdout
    assert errors(result) == []


def test_nesting_that_cpython_refuses_is_a_syntax_error(project: Path) -> None:
    (project / "app" / "deep.py").write_text("x = " + "(" * 1_000 + "1" + ")" * 1_000 + "\n", encoding="utf-8")
    result = check_unchanged(project)
    assert "app/deep.py:1:205: FAPI000 SyntaxError: too many nested parentheses" in result.stdout


def test_a_crash_among_many_files_linted_in_workers(project: Path) -> None:
    # Enough files for worker processes: the worker that crashes takes its batch with it,
    # and that batch is re-linted file by file.
    for number in range(60):
        (project / "app" / f"module_{number}.py").write_text(f'import os\n\nV{number} = os.getenv("V{number}")\n', encoding="utf-8")
    (project / "app" / "deep.py").write_text("from sqlalchemy.orm import Session\nx = " + "-" * 50_000 + "1\n", encoding="utf-8")
    result = check_unchanged(project, "--no-cache", "-j", "2")
    assert result.stdout.count("FAPI201") == 61
    assert errors(result) == [
        "error: app/deep.py: LibCST's parser crashed on this file (an expression chained or nested too deeply); not analysed"
    ]


# -- kinds of files and paths -----------------------------------------------------------


def test_stub_files_are_linted(project: Path) -> None:
    (project / "app" / "stubs.pyi").write_text(FIXABLE, encoding="utf-8")
    result = check_unchanged(project)
    assert "app/stubs.pyi:3:16: FAPI302" in result.stdout


def test_a_symlinked_file_is_linted_and_fixed_through_its_target(project: Path) -> None:
    target = project / "app" / "real.py"
    target.write_text(FIXABLE, encoding="utf-8")
    (project / "app" / "alias.py").symlink_to("real.py")
    result = check_unchanged(project)
    assert "app/alias.py:3:16: FAPI302" in result.stdout and "app/real.py:3:16: FAPI302" in result.stdout
    check(project, "--fix")
    assert (project / "app" / "alias.py").is_symlink()
    assert target.read_text(encoding="utf-8") == FIXED


def test_symlink_loops(project: Path) -> None:
    (project / "app" / "loop_a.py").symlink_to("loop_b.py")
    (project / "app" / "loop_b.py").symlink_to("loop_a.py")
    (project / "app" / "up").symlink_to("..", target_is_directory=True)
    result = check_unchanged(project, "--fix")
    found = errors(result)
    assert [line.split(": cannot read: ")[0] for line in found] == ["error: app/loop_a.py", "error: app/loop_b.py"]
    assert all(": cannot read: " in line for line in found)
    # The folder loop is entered once: the good module is reported once.
    assert result.stdout.count("FAPI201") == 1


def test_broken_symlink(project: Path) -> None:
    (project / "app" / "gone.py").symlink_to(project / "nowhere.py")
    result = check_unchanged(project, "--fix")
    assert errors(result) == ["error: app/gone.py: broken symbolic link"]


def test_named_pipe_is_reported_not_waited_on(project: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    os.mkfifo(project / "app" / "pipe.py")
    result = check_unchanged(project)
    assert errors(result) == ["error: app/pipe.py: cannot read: not a regular file"]
    # Named on the command line, with and without the cache.
    result = run_cli("check", "app/pipe.py", cwd=project, timeout=60)
    assert result.returncode == 1 and errors(result) == ["error: app/pipe.py: cannot read: not a regular file"]


def test_unreadable_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project / "app" / "secret.py"
    path.write_text(GOOD, encoding="utf-8")
    if os.geteuid() != 0:
        path.chmod(0)
        try:
            result = check_unchanged(project, "--fix")
        finally:
            path.chmod(0o644)
        assert errors(result) == ["error: app/secret.py: permission denied"]
        return
    # Root reads any file whatever its mode: make the operating system refuse it instead.
    from fastapi_lint.linter.config import Settings
    from fastapi_lint.linter.engine import Engine, RunOptions

    real_open = os.open

    def refusing_open(file: object, flags: int, *args: object, **kwargs: object) -> int:
        if Path(os.fsdecode(file)).name == "secret.py":  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", os.fsdecode(file))  # type: ignore[arg-type]
        return real_open(file, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing_open)
    before = snapshot(project)
    result = Engine(Settings(), RunOptions(fix=True, use_cache=True), cwd=project).run([project])
    assert [(error.path, error.message) for error in result.errors] == [("app/secret.py", "permission denied")]
    assert [d.path for d in result.diagnostics] == ["app/good.py"]
    assert not result.internal_errors
    assert without_cache(snapshot(project)) == without_cache(before)


def test_a_directory_named_like_a_module(project: Path) -> None:
    folder = project / "app" / "x.py"
    folder.mkdir()
    (folder / "inner.py").write_text(GOOD, encoding="utf-8")
    result = check_unchanged(project)
    assert "app/x.py/inner.py:3:7: FAPI201" in result.stdout
    assert errors(result) == []
    named = run_cli("check", "--output-format", "concise", "app/x.py", cwd=project)
    assert named.returncode == 1 and "app/x.py/inner.py:3:7: FAPI201" in named.stdout


def test_paths_with_spaces_and_non_ascii_names(project: Path) -> None:
    folder = project / "app" / "my módulos"
    folder.mkdir()
    (folder / "café config.py").write_text(FIXABLE, encoding="utf-8")
    result = check_unchanged(project)
    assert "app/my módulos/café config.py:3:16: FAPI302" in result.stdout
    records = json.loads(run_cli("check", "--output-format", "json", cwd=project).stdout)
    assert {record["path"] for record in records} == {"app/good.py", "app/my módulos/café config.py"}
    check(project, "--fix")
    assert (folder / "café config.py").read_text(encoding="utf-8") == FIXED


def test_a_path_that_does_not_exist(project: Path) -> None:
    result = run_cli("check", "--output-format", "concise", "app", "missing.py", cwd=project)
    assert result.returncode == 1
    assert GOOD_FINDING in result.stdout
    assert errors(result) == ["error: missing.py: no such file or directory"]


# -- configuration -----------------------------------------------------------------------


def _config_error(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (project / "app" / "fixable.py").write_text(FIXABLE, encoding="utf-8")
    before = snapshot(project)
    result = run_cli("check", *args, cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert snapshot(project) == before
    return result


def test_pyproject_that_is_not_toml(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.fastapi-lint\nselect = ["FAPI"]\n', encoding="utf-8")
    result = _config_error(project, "--fix")
    lines = result.stderr.splitlines()
    assert lines[0] == "error: invalid configuration"
    assert lines[1].startswith(f"  {project / 'pyproject.toml'}: not valid TOML: ")
    assert len(lines) == 2


def test_pyproject_that_is_not_utf8(project: Path) -> None:
    (project / "pyproject.toml").write_bytes(b'[tool.fastapi-lint]\nselect = ["caf\xe9"]\n')
    result = _config_error(project, "--fix")
    assert result.stderr.splitlines()[0] == "error: invalid configuration"
    assert f"{project / 'pyproject.toml'}: cannot read: " in result.stderr


def test_pyproject_with_wrong_types(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        "[tool.fastapi-lint]\n"
        'select = "FAPI3"\n'
        'respect-gitignore = "yes"\n'
        'per-file-ignores = ["tests/*"]\n'
        "[tool.fastapi-lint.rules.FAPI302]\n"
        "include-sync = 1\n",
        encoding="utf-8",
    )
    result = _config_error(project, "--fix")
    lines = result.stderr.splitlines()
    assert lines[0] == "error: invalid configuration"
    where = f"  {project / 'pyproject.toml'}: [tool.fastapi-lint]"
    assert sorted(lines[1:]) == sorted(
        [
            f"{where}.select: expected a list of strings, got a string ('FAPI3')",
            f"{where}.respect-gitignore: expected a boolean, got a string ('yes')",
            f"{where}.per-file-ignores: expected a table of glob = [codes], got a list",
            f"{where}.rules.FAPI302.include-sync: expected a boolean, got an integer (1)",
        ]
    )


def test_tool_table_that_is_not_a_table(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool]\nfastapi-lint = "all"\n', encoding="utf-8")
    result = _config_error(project)
    assert result.stderr.splitlines() == [
        "error: invalid configuration",
        f"  {project / 'pyproject.toml'}: [tool.fastapi-lint]: must be a table",
    ]



def test_a_deleted_working_directory_is_a_clear_error(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "fastapi_lint"]
    script = f"import os, subprocess, sys; os.chdir({str(gone)!r}); os.rmdir({str(gone)!r}); sys.exit(subprocess.run({[*command, 'check', '.']!r}).returncode)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "error: cannot read the working directory" in result.stderr
    assert "Traceback" not in result.stderr
