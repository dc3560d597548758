"""Reading, decoding and parsing one source file, with clear errors for bad input."""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

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
    except (UnicodeDecodeError, LookupError) as error:
        raise SourceError(f"cannot decode as {encoding}: {error}") from None
    return SourceFile(path, text, encoding, raw)


def read_source(path: Path) -> SourceFile:
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise SourceError("is a directory, not a file") from None
    except FileNotFoundError:
        raise SourceError("no such file") from None
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


def parse_module(text: str) -> "cst.Module | SyntaxProblem":
    """Parse with LibCST; a syntax error (or a tree too deep to parse) becomes a SyntaxProblem."""
    import libcst as cst

    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        first_line = str(error.message).strip().splitlines()[0] if error.message else "invalid syntax"
        return SyntaxProblem(first_line, error.raw_line, error.raw_column + 1)
    except RecursionError:
        return SyntaxProblem("code nested too deeply to parse", 1, 1)
