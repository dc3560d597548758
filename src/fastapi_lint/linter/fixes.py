"""Applying fixes: text edits from LibCST-rendered nodes, re-parsed, written atomically."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Iterable, Sequence

from fastapi_lint.linter.diagnostics import Diagnostic, Edit
from fastapi_lint.linter.index import find_project_root

MAX_FIX_PASSES = 10


def allowed(diagnostic: Diagnostic, unsafe_fixes: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and (fix.applicability == "safe" or unsafe_fixes)


# Where CPython and LibCST break lines, so where diagnostics count them: a lone CR too.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]


def _offset(starts: list[int], line: int, column: int) -> int:
    return starts[line - 1] + column - 1


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, int]:
    """Apply non-overlapping edits; returns the new text and how many edits were applied.

    Edits that overlap one already taken are left for the next pass.
    """
    starts = _line_starts(text)
    spans = sorted(
        ((_offset(starts, edit.line, edit.column), _offset(starts, edit.end_line, edit.end_column), edit.content) for edit in edits),
        key=lambda span: (span[0], span[1]),
    )
    pieces: list[str] = []
    cursor = 0
    applied = 0
    for start, end, content in spans:
        if start < cursor:
            continue
        pieces.append(text[cursor:start])
        pieces.append(_with_line_endings_at(text, start, content))
        cursor = end
        applied += 1
    pieces.append(text[cursor:])
    return "".join(pieces), applied


def _with_line_endings_at(text: str, offset: int, content: str) -> str:
    """``content`` with the line ending of the line it goes into: LibCST writes new lines
    with the file's first line ending, which in a file that mixes them may not be theirs."""
    if "\n" not in content and "\r" not in content:
        return content
    found = _LINE_BREAK.search(text, offset)
    if found is None:  # the last line has no ending: take the one before it
        before = list(_LINE_BREAK.finditer(text, 0, offset))
        found = before[-1] if before else None
    return _LINE_BREAK.sub(found.group() if found else "\n", content)


def fixes_for(diagnostics: Sequence[Diagnostic], unsafe_fixes: bool) -> list[Diagnostic]:
    return [diagnostic for diagnostic in diagnostics if allowed(diagnostic, unsafe_fixes)]


def is_multi_file(diagnostic: Diagnostic) -> bool:
    return diagnostic.fix is not None and diagnostic.fix.is_multi_file(diagnostic.path)


def local_fixes_for(diagnostics: Sequence[Diagnostic], unsafe_fixes: bool) -> list[Diagnostic]:
    """The fixes that edit only their own file: applied while that file is linted."""
    return [d for d in diagnostics if allowed(d, unsafe_fixes) and not is_multi_file(d)]


def multi_file_fixes_for(diagnostics: Sequence[Diagnostic], unsafe_fixes: bool) -> list[Diagnostic]:
    return [d for d in diagnostics if allowed(d, unsafe_fixes) and is_multi_file(d)]


def apply_fixes(text: str, diagnostics: Sequence[Diagnostic], unsafe_fixes: bool) -> tuple[str, int]:
    """Apply every applicable fix whose edits do not clash with an earlier one.

    A fix's edits are applied together or not at all.
    """
    starts = _line_starts(text)
    taken: list[tuple[int, int]] = []
    chosen: list[Edit] = []
    fixed = 0
    for diagnostic in sorted(local_fixes_for(diagnostics, unsafe_fixes), key=lambda d: d.sort_key):
        assert diagnostic.fix is not None
        spans = [
            (_offset(starts, e.line, e.column), _offset(starts, e.end_line, e.end_column)) for e in diagnostic.fix.edits
        ]
        if any(_overlaps(span, other) for span in spans for other in taken):
            continue
        taken.extend(spans)
        chosen.extend(diagnostic.fix.edits)
        fixed += 1
    new_text, _ = apply_edits(text, chosen)
    return new_text, fixed


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] or b[0] == b[1]:  # insertions clash only at the same point or inside
        return b[0] < a[0] < b[1] or a[0] < b[0] < a[1] or a[0] == b[0]
    return a[0] < b[1] and b[0] < a[1]


class WriteError(Exception):
    """A fixed file could not be written; the message is for the user."""


def write_atomically(path: Path, text: str, encoding: str, expected_bytes: bytes) -> None:
    """Replace ``path`` by ``text`` in one rename, keeping its mode.

    Refuses when the file changed on disk since it was read (``expected_bytes``), is
    read-only, or is a symbolic link that leads out of its project.
    """
    try:
        current = path.read_bytes()
    except OSError as error:
        raise WriteError(f"cannot re-read before writing: {error.strerror or error}") from None
    if current != expected_bytes:
        raise WriteError("changed on disk while linting; not overwritten")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as error:
        raise WriteError(f"fixed text cannot be encoded as {encoding}: {error}") from None
    real = path.resolve()
    if not _is_within(real, find_project_root(path)):
        raise WriteError("it is a symbolic link to a file outside the project")
    mode = stat.S_IMODE(real.stat().st_mode)
    # Renaming over a file needs no write permission on it: ask for it explicitly.
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise WriteError("the file is read-only")
    try:
        import tempfile  # here: a run that writes nothing does not import it (nor shutil, bz2, lzma)

        descriptor, temporary = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".fapi-tmp", dir=real.parent)
    except OSError as error:
        raise WriteError(f"cannot create a file beside it: {error.strerror or error}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, real)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _is_within(path: Path, directory: Path) -> bool:
    try:
        path.relative_to(directory)
    except ValueError:
        return False
    return True
