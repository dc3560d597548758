"""Reading, decoding and parsing one source file, with clear errors for bad input."""

from __future__ import annotations

import contextlib
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from fastapi_lint.linter import observe

if TYPE_CHECKING:
    import libcst as cst


class SourceError(Exception):
    """A file that cannot be read or decoded; the message is for the user."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    text: str
    # The codec to write the text back with ("utf-8-sig" keeps a byte-order mark).
    encoding: str
    raw: bytes


def decode_source(raw: bytes, path: Path) -> SourceFile:
    if b"\x00" in raw:
        raise SourceError("file contains a null byte; not a Python source file")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as error:
        if "invalid or missing encoding declaration" in str(error.msg):
            raise SourceError("cannot decode: not valid UTF-8 and no PEP 263 coding declaration") from None
        raise SourceError(f"cannot decode: {error.msg}") from None
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        # Where, as a line: a byte offset in a large file helps nobody.
        line = raw.count(b"\n", 0, error.start) + 1
        raise SourceError(f"cannot decode as {encoding}: {error.reason} (byte 0x{raw[error.start]:02x} on line {line})") from None
    except LookupError as error:
        raise SourceError(f"cannot decode as {encoding}: {error}") from None
    return SourceFile(path, text, encoding, raw)


def read_bytes(path: "Path | str") -> bytes:
    """The bytes of a regular file; anything else (a named pipe, a socket, a device)
    raises OSError instead of blocking or reading forever."""
    try:
        data = observe.regular_file_bytes(path)
    except OSError as error:
        observe.unreadable(path, error)  # the same error next time is the same report
        raise
    observe.read(path, data)
    return data


def read_hashed(path: "Path | str") -> tuple[bytes, str]:
    """``read_bytes`` and the bytes' hash (``index.content_hash``, which is the run
    record's ``observe.digest``), computed once for both."""
    try:
        data = observe.regular_file_bytes(path)
    except OSError as error:
        observe.unreadable(path, error)
        raise
    digest = observe.digest(data)
    observe.read_digest(path, digest)
    return data, digest


def read_source(path: Path) -> SourceFile:
    try:
        raw = read_bytes(path)
    except IsADirectoryError:
        raise SourceError("is a directory, not a file") from None
    except FileNotFoundError:
        raise SourceError("broken symbolic link" if path.is_symlink() else "no such file") from None
    except PermissionError:
        raise SourceError("permission denied") from None
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}") from None
    return decode_source(raw, path)


@dataclass(frozen=True)
class SyntaxProblem:
    message: str
    line: int
    column: int


@dataclass(frozen=True)
class ParserFailure(SyntaxProblem):
    """LibCST's native parser crashed or ran out of time on a file (not a syntax error)."""


# LibCST's native parser recurses once per link of a chain (``a + b + ...``,
# ``f(x)(y)...``, ``a.b.c...``, ``a[0][0]...``, ``elif`` after ``elif``) and several
# times per level of brackets: a few thousand links make it take seconds, some 4,000
# subscripts, 6,000 attributes, 10,000 ``elif`` or 1,300 nested brackets overflow its
# stack and kill the process. Code that could hold such a chain is parsed in a child
# process first.
_RISKY_SIZE = 400_000
_RISKY_LINE = 5_000
_RISKY_TOKENS = ("+", "-", "*", ".", "(", "[", "|", "&", "elif")
_RISKY_COUNT = 3_000
# CPython itself refuses brackets nested deeper than 200.
_RISKY_DEPTH = 200
_BRACKETS = re.compile(r"[][(){}]")
PROBE_SECONDS = 20.0


def time_limit(text: str) -> float:
    """Seconds a child may take on ``text``: pathological chains stall on small files,
    while an ordinary 50,000-line module needs some 15 s to lint (more on a slow machine)."""
    return PROBE_SECONDS + len(text) / 25_000


def is_risky(text: str) -> bool:
    if len(text) > _RISKY_SIZE:
        return True
    if len(text) > _RISKY_LINE and max(map(len, text.splitlines())) > _RISKY_LINE:
        return True
    if len(text) > _RISKY_COUNT and any(text.count(token) > _RISKY_COUNT for token in _RISKY_TOKENS):
        return True
    return len(text) > 2 * _RISKY_DEPTH and _bracket_depth(text) > _RISKY_DEPTH


def _bracket_depth(text: str) -> int:
    """The deepest nesting of brackets (those in strings and comments count too: an
    over-estimate only costs a child process)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "([{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _probe(text: str) -> None:
    import libcst as cst

    try:
        cst.parse_module(text)
    except Exception:
        pass


def probe_in_child(text: str, seconds: float | None = None) -> ParserFailure | None:
    """Parse ``text`` in a child process; a crash or a time-out becomes a ParserFailure."""
    import multiprocessing

    if multiprocessing.current_process().daemon:
        # Already in the child that isolates linting a file (daemonic processes may not
        # start another): a crash here ends that child and is reported for its file.
        return None
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    seconds = time_limit(text) if seconds is None else seconds
    child = context.Process(target=_probe, args=(text,), daemon=True)
    child.start()
    child.join(seconds)
    if child.is_alive():
        child.kill()
        child.join()
        return ParserFailure(f"LibCST's parser did not finish in {seconds:.0f} s on this file; not analysed", 1, 1)
    if child.exitcode != 0:
        return ParserFailure("LibCST's parser crashed on this file (an expression chained or nested too deeply); not analysed", 1, 1)
    return None


def parse_module(text: str, probe: bool = True, valid_python: bool = False) -> "cst.Module | SyntaxProblem":
    """Parse with LibCST; a syntax error (or a tree too deep to parse) becomes a SyntaxProblem,
    and a file that crashes or stalls the native parser a ParserFailure (unless ``probe``
    is off: the caller has isolated the parse itself).

    ``valid_python``: CPython has parsed this text, so the parsed nodes need none of the
    checks LibCST makes of every node it builds (a seventh of the parse)."""
    import libcst as cst

    if probe and is_risky(text):
        failure = probe_in_child(text)
        if failure is not None:
            return failure
    try:
        if valid_python:
            with _unchecked_nodes():
                return cst.parse_module(text)
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        first_line = str(error.message).strip().splitlines()[0] if error.message else "invalid syntax"
        return SyntaxProblem(first_line, error.raw_line, error.raw_column + 1)
    except RecursionError:
        return SyntaxProblem("code nested too deeply to parse", 1, 1)


@contextlib.contextmanager
def _unchecked_nodes() -> Iterator[None]:
    """LibCST validates each node as it is built (``CSTNode.__post_init__``), which its
    parser does not need for code that parses (LibCST's own note says as much); nodes made
    by fixes are built outside this block and still checked."""
    from libcst._nodes.base import CSTNode

    checked = CSTNode.__dict__["__post_init__"]
    CSTNode.__post_init__ = _no_check  # type: ignore[method-assign]
    try:
        yield
    finally:
        CSTNode.__post_init__ = checked  # type: ignore[method-assign]


def _no_check(self: object) -> None:
    pass


# Comments and string literals, left to right (a ``#`` inside a string is part of the
# string, a quote inside a comment part of the comment). The prefix is taken only when
# it starts a token, so that ``x in"abc"`` still finds the string.
_COMMENT_OR_STRING = re.compile(
    r"""
    (?P<comment>\#[^\r\n]*)
    | (?P<prefix>(?<![\w])[rRbBuUfF]{1,2})?
      (?P<string>
          \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        | '''(?:[^'\\]|\\.|'(?!''))*'''
        | "(?:[^"\\\r\n]|\\.)*"
        | '(?:[^'\\\r\n]|\\.)*'
      )
    """,
    re.VERBOSE | re.DOTALL,
)


def _blank(match: "re.Match[str]") -> str:
    if match.group("comment") is not None:
        return ""
    prefix = match.group("prefix") or ""
    # An f-string holds code; keep it whole (finding words in it only costs a parse).
    return match.group(0) if "f" in prefix.lower() else '""'


def code_text(text: str) -> str:
    """``text`` without its comments and plain string literals: words still in it may
    be code. Approximate for text that does not tokenize, never dropping code of text
    that does."""
    return _COMMENT_OR_STRING.sub(_blank, text)

