"""Property-based tests: generated programs (hypothesmith) never cause an internal error,
and the patterns each rule looks for, spliced into generated programs with random
formatting, comments and nesting, are found where they are; every fix gives code that
parses and is a fixed point.

Kept small for CI (``FASTAPI_LINT_PROPERTY_EXAMPLES`` raises the number of examples).
"""

from __future__ import annotations

import ast
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.engine import Engine, RunOptions, RunResult
from fastapi_lint.linter.source import decode_source, SourceError

EXAMPLES = int(os.environ.get("FASTAPI_LINT_PROPERTY_EXAMPLES", "25"))
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # No example database in the checkout; a failure prints the example and its seed.
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
# Every rule's trigger words, so that a generated program is parsed and walked by all rules.
TRIGGERS = "# Session sessionmaker getenv environ add_task BackgroundTask noqa\n"

# The engine raises the recursion limit for deep trees, once, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")

programs = st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node())


def make_project(root: Path) -> Path:
    (root / "app").mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "generated"\n', encoding="utf-8")
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    return root / "app" / "generated.py"


def lint(root: Path, path: Path, fix: bool = False) -> RunResult:
    options = RunOptions(fix=fix, unsafe_fixes=fix)
    return Engine(Settings(), options, cwd=root).run([path])


def parses(source: bytes) -> bool:
    """What CPython's parser accepts (FAPI000 is about this)."""
    return _compiles(source, ast.PyCF_ONLY_AST)


def compiles(source: bytes) -> bool:
    """What CPython compiles to bytecode (``await`` outside a function parses, but does not compile)."""
    return _compiles(source, 0)


def _compiles(source: bytes, flags: int) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "generated.py", "exec", flags, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def assert_clean_run(result: RunResult) -> None:
    assert result.internal_errors == [], result.internal_errors
    assert result.errors == [], result.errors


def assert_fix_is_sound(root: Path, path: Path) -> RunResult:
    """Fix everything; the result still parses and compiles, and fixing again changes nothing."""
    before = path.read_bytes()
    fixed = lint(root, path, fix=True)
    assert_clean_run(fixed)
    after = path.read_bytes()
    if after != before:
        assert parses(after), after.decode("utf-8", "replace")
        assert compiles(after) or not compiles(before), after.decode("utf-8", "replace")
        cst.parse_module(after)
    again = lint(root, path, fix=True)
    assert_clean_run(again)
    assert again.fixed == 0
    assert path.read_bytes() == after
    return fixed


# -- generated programs --------------------------------------------------------------


def test_generated_programs_never_cause_an_internal_error(tmp_path: Path) -> None:
    path = make_project(tmp_path)

    @PROPERTY_SETTINGS
    @given(programs)
    def check(program: str) -> None:
        source = program + ("\n" if program and not program.endswith("\n") else "") + TRIGGERS
        path.write_text(source, encoding="utf-8")
        result = lint(tmp_path, path)
        assert_clean_run(result)
        # A program CPython compiles is no syntax error, unless LibCST alone cannot read it.
        for diagnostic in result.diagnostics:
            if diagnostic.code == "FAPI000":
                assert "LibCST cannot parse this file (CPython can)" in diagnostic.message, diagnostic.message
        assert_fix_is_sound(tmp_path, path)

    check()


@PROPERTY_SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes_decode_or_fail_with_a_clear_error(raw: bytes) -> None:
    try:
        source = decode_source(raw, Path("m.py"))
    except SourceError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert source.text.encode(source.encoding) == raw


def test_arbitrary_text_never_causes_an_internal_error(tmp_path: Path) -> None:
    path = make_project(tmp_path)
    alphabet = st.sampled_from(list("abcdefxyz_0123456789 \t\n\r\x0c()[]{}:;,.=+-*/%@<>!&|^~'\"#\\") + ["os", "getenv", "Session", "add_task", "def ", "class ", "if ", "lambda ", "async ", "await ", "noqa: FAPI201"])

    @PROPERTY_SETTINGS
    @given(st.lists(alphabet, max_size=120).map("".join))
    def check(text: str) -> None:
        path.write_text(text + "\n" + TRIGGERS, encoding="utf-8", newline="")
        result = lint(tmp_path, path)
        assert_clean_run(result)
        syntax_errors = [d for d in result.diagnostics if d.code == "FAPI000"]
        assert len(syntax_errors) <= 1
        if not syntax_errors:
            assert parses(path.read_bytes())

    check()


# -- rule patterns spliced into generated programs --------------------------------------


@dataclass(frozen=True)
class Pattern:
    """One occurrence of what a rule looks for, as module-level code."""

    code: str
    imports: tuple[str, ...]
    # Module-level statements (their own indentation starts at column 0).
    statements: str
    # Text that starts the flagged expression, unique in the program.
    anchor: str
    # After --fix: the anchor's finding is gone and this text is present (None: not fixable).
    fixed_contains: str | None = None


Draw = Callable[[st.SearchStrategy], object]


def _arguments(draw: Draw, arguments: list[str]) -> str:
    """``(a, b)`` in one of the layouts people write, with comments here and there."""
    layout = draw(st.sampled_from(["inline", "spaced", "one-per-line", "hanging"]))
    if layout == "inline":
        return "(" + ", ".join(arguments) + ")"
    if layout == "spaced":
        return "( " + " , ".join(arguments) + " )"
    comment = draw(st.sampled_from(["", "  # why not", "  # noqa: E501"]))
    trailing = draw(st.booleans())
    if layout == "one-per-line":
        lines = [f"        {argument}," for argument in arguments]
        if not trailing:
            lines[-1] = lines[-1][:-1]
        lines[0] += comment
        return "(\n" + "\n".join(lines) + "\n)"
    return "(" + (",\n     ").join(arguments) + ("," if trailing else "") + comment + "\n)"


def _wrap(draw: Draw, body: list[str], headers: list[str]) -> list[str]:
    """Nest ``body`` in up to two blocks, indented by a random unit."""
    unit = draw(st.sampled_from(["    ", "  ", "\t"]))
    depth = draw(st.integers(min_value=0, max_value=2))
    for _ in range(depth):
        header = draw(st.sampled_from(headers))
        inner = [unit + line if line.strip() else line for line in body]
        if header == "try:":
            body = ["try:", *inner, "except Exception:", unit + "pass"]
        else:
            body = [header, *inner]
    return body


def _with_comments(draw: Draw, lines: list[str]) -> list[str]:
    if draw(st.booleans()):
        lines = ["# A comment before the code.", *lines]
    if draw(st.booleans()):
        lines = ["", *lines, ""]
    return lines


_MODULE_BLOCKS = ["if True:", "try:", "with open(__file__):", "for _ in range(1):"]
_ANY_BLOCKS = [*_MODULE_BLOCKS, "while False:", "def wrapper():", "class Holder:"]


@st.composite
def missing_expire_on_commit(draw: Draw, number: int) -> Pattern:
    kind = draw(st.sampled_from(["async_sessionmaker", "AsyncSession", "sessionmaker-class"]))
    module = f"_fapi_asyncio_{number}"
    if kind == "sessionmaker-class":
        imports = ("import sqlalchemy.orm as _fapi_orm_" + str(number), f"import sqlalchemy.ext.asyncio as {module}")
        callee = f"_fapi_orm_{number}.sessionmaker"
        arguments = ["engine", f"class_={module}.AsyncSession"]
    elif draw(st.booleans()):
        name = f"_fapi_{kind}_{number}"
        imports = (f"from sqlalchemy.ext.asyncio import {kind} as {name}",)
        callee, arguments = name, ["engine"]
    else:
        imports = (f"import sqlalchemy.ext.asyncio as {module}",)
        callee, arguments = f"{module}.{kind}", ["engine"]
    if draw(st.booleans()):
        arguments.append("autoflush=False")
    call = callee + _arguments(draw, arguments)
    continued = draw(st.booleans())
    statement = [f"_fapi_factory_{number} = \\", f"    {call}"] if continued else [f"_fapi_factory_{number} = {call}"]
    lines = _wrap(draw, _with_comments(draw, "\n".join(statement).split("\n")), _ANY_BLOCKS)
    return Pattern("FAPI302", imports, "\n".join(lines), callee + "(", fixed_contains="expire_on_commit=False")


@st.composite
def env_read(draw: Draw, number: int) -> Pattern:
    alias = f"_fapi_os_{number}"
    variable = f'"FAPI_VARIABLE_{number}"'
    form = draw(st.sampled_from(["getenv", "environ.get", "environ[]", "from-getenv"]))
    if form == "from-getenv":
        imports = (f"from os import getenv as _fapi_getenv_{number}",)
        anchor = f"_fapi_getenv_{number}("
        read = anchor[:-1] + _arguments(draw, [variable])
    else:
        imports = (f"import os as {alias}",)
        if form == "environ[]":
            anchor = f"{alias}.environ["
            read = f"{anchor}{variable}]"
        else:
            anchor = f"{alias}.{form}("
            read = anchor[:-1] + _arguments(draw, [variable, '"fallback"'] if draw(st.booleans()) else [variable])
    lines = _wrap(draw, _with_comments(draw, f"_fapi_value_{number} = {read}".split("\n")), _ANY_BLOCKS)
    return Pattern("FAPI201", imports, "\n".join(lines), anchor)


@st.composite
def settings_field_default(draw: Draw, number: int) -> Pattern:
    alias = f"_fapi_os_{number}"
    default = draw(st.sampled_from(['"sqlite://"', "'x'", '""']))
    anchor = f"{alias}.getenv("
    read = anchor[:-1] + _arguments(draw, [f'"FAPI_URL_{number}"', default])
    lines = [
        f"class _FapiSettings{number}(_FapiBaseSettings{number}):",
        *(["    # The database."] if draw(st.booleans()) else []),
        # The field's name is the variable's (pydantic-settings matches them ignoring case).
        f"    fapi_url_{number}: str = {read}".replace("\n", "\n    "),
    ]
    imports = (f"import os as {alias}", f"from pydantic_settings import BaseSettings as _FapiBaseSettings{number}")
    return Pattern("FAPI201", imports, "\n".join(lines), anchor, fixed_contains=f"fapi_url_{number}: str = {default}")


@st.composite
def heavy_background_task(draw: Draw, number: int) -> Pattern:
    heavy = draw(
        st.sampled_from(
            [
                ("import smtplib as _fapi_smtplib_{n}", '_fapi_smtplib_{n}.SMTP("mail.example.com").sendmail("a", ["b"], "hi")'),
                ("import httpx as _fapi_httpx_{n}", '_fapi_httpx_{n}.post("https://hooks.example.com", json={{}})'),
                ("import subprocess as _fapi_subprocess_{n}", '_fapi_subprocess_{n}.run(["make", "report"], check=True)'),
            ]
        )
    )
    task = f"_fapi_task_{number}"
    tasks = f"_fapi_tasks_{number}"
    anchor = f"{tasks}.add_task("
    call = anchor[:-1] + _arguments(draw, [task, '"user@example.com"'])
    body = _wrap(draw, _with_comments(draw, call.split("\n")), ["if True:", "try:", "for _ in range(1):", "with open(__file__):"])
    annotation = draw(st.sampled_from([f"_FapiBackgroundTasks{number}", f"_fapi_fastapi_{number}.BackgroundTasks"]))
    lines = [
        f"def {task}(address):",
        "    " + heavy[1].format(n=number),
        "",
        "",
        f"def _fapi_endpoint_{number}({tasks}: {annotation}) -> None:",
        *("    " + line if line.strip() else line for line in body),
    ]
    imports = (
        heavy[0].format(n=number),
        f"from fastapi import BackgroundTasks as _FapiBackgroundTasks{number}",
        f"import fastapi as _fapi_fastapi_{number}",
    )
    return Pattern("FAPI401", imports, "\n".join(lines), anchor)


@st.composite
def global_session(draw: Draw, number: int) -> Pattern:
    factory = f"_FapiSessionLocal{number}"
    anchor = f"{factory}("
    lines = _wrap(draw, _with_comments(draw, [f"_fapi_db_{number} = {factory}()"]), _MODULE_BLOCKS)
    imports = (f"from sqlalchemy.orm import sessionmaker as _fapi_sessionmaker_{number}", f"{factory} = _fapi_sessionmaker_{number}()")
    return Pattern("FAPI301", imports, "\n".join(lines), anchor)


@st.composite
def unmanaged_session(draw: Draw, number: int) -> Pattern:
    factory = f"_FapiSessionLocal{number}"
    anchor = f"{factory}("
    body = _wrap(draw, [f"_fapi_session = {factory}()", "_fapi_session.add(item)", "_fapi_session.commit()"], ["if True:", "for _ in range(1):"])
    lines = [f"def _fapi_save_{number}(item):", *("    " + line for line in body)]
    imports = (f"from sqlalchemy.orm import sessionmaker as _fapi_sessionmaker_{number}", f"{factory} = _fapi_sessionmaker_{number}()")
    return Pattern("FAPI303", imports, "\n".join(lines), anchor)


PATTERN_KINDS = [missing_expire_on_commit, env_read, settings_field_default, heavy_background_task, global_session, unmanaged_session]


@dataclass(frozen=True)
class Spliced:
    text: str
    patterns: tuple[Pattern, ...]
    crlf: bool


def _leading_futures(module: cst.Module) -> int:
    """How many statements must stay first: a docstring and ``from __future__`` imports."""
    count = 0
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        small = statement.body[0]
        is_docstring = count == 0 and isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))
        is_future = isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name) and small.module.value == "__future__"
        if not (is_docstring or is_future):
            break
        count += 1
    return count


@st.composite
def spliced_programs(draw: Draw) -> Spliced:
    program = draw(programs)
    try:
        filler = cst.parse_module(program)
        ast.parse(program)
    except (cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError, MemoryError):
        assume(False)
        raise AssertionError("unreachable")
    kinds = draw(st.lists(st.sampled_from(PATTERN_KINDS), min_size=1, max_size=3))
    if settings_field_default in kinds:
        # A module that defines a settings class may read the environment (FAPI201's design).
        kinds = [kind for kind in kinds if kind is not env_read]
    patterns = tuple(draw(kind(number)) for number, kind in enumerate(kinds))
    first = _leading_futures(filler)
    body = list(filler.body)
    for pattern in patterns:
        statements = list(cst.parse_module(pattern.statements + "\n").body)
        position = draw(st.integers(min_value=first, max_value=len(body)))
        body[position:position] = statements
    imports = [statement for pattern in patterns for line in pattern.imports for statement in cst.parse_module(line + "\n").body]
    body[first:first] = imports
    text = filler.with_changes(body=body).code
    crlf = draw(st.booleans())
    if crlf:
        text = LINE_BREAK.sub("\r\n", text)
    return Spliced(text, patterns, crlf)


LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _position(text: str, anchor: str) -> tuple[int, int]:
    """Line and column (1-based) of ``anchor``; CPython and LibCST break lines at CR, LF and CRLF."""
    assert text.count(anchor) == 1, anchor
    offset = text.index(anchor)
    breaks = list(LINE_BREAK.finditer(text, 0, offset))
    line_start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, offset - line_start + 1


def test_rule_patterns_in_generated_programs_are_found_and_fixed(tmp_path: Path) -> None:
    path = make_project(tmp_path)

    @PROPERTY_SETTINGS
    @given(spliced_programs())
    def check(spliced: Spliced) -> None:
        note(spliced.text)
        path.write_bytes(spliced.text.encode("utf-8"))
        assert parses(path.read_bytes())
        result = lint(tmp_path, path)
        assert_clean_run(result)
        found = {(d.code, d.line, d.column) for d in result.diagnostics}
        for pattern in spliced.patterns:
            line, column = _position(spliced.text, pattern.anchor)
            assert (pattern.code, line, column) in found, (pattern.code, line, column, sorted(found))
        fixed = assert_fix_is_sound(tmp_path, path)
        text = path.read_bytes().decode("utf-8")
        if spliced.crlf:
            assert {match.group() for match in LINE_BREAK.finditer(text)} == {"\r\n"}, "a fix broke the CRLF line endings"
        for pattern in spliced.patterns:
            if pattern.fixed_contains is not None:
                assert pattern.fixed_contains in text, text
        if any(pattern.fixed_contains for pattern in spliced.patterns):
            assert fixed.fixed >= 1

    check()
