"""Building fixes that touch several files: the edits a rule hands to the engine.

A rule rewrites another module however it likes (a LibCST transformer, a codemod
helper such as ``AddImportsVisitor``, plain text) and turns the result into edits with
``edits_between``: only the changed lines become edits, so two fixes that change
different parts of one file can both be applied in the same pass. Files are created
with ``create_file`` and moved with ``move_file``. Paths are absolute; the engine
shows them relative to the working directory.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from fastapi_lint.linter.diagnostics import Edit

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` with their endings, broken where the fix engine counts lines
    (``\\n``, ``\\r\\n`` and a lone ``\\r``; not the other breaks ``str.splitlines`` knows)."""
    return _LINE.findall(text)


def _start_of(lines: list[str], index: int) -> tuple[int, int]:
    """The (line, column) where line ``index`` (0-based) starts; past the end: the end."""
    if index < len(lines) or not lines:
        return index + 1, 1
    last = lines[-1]
    if last.endswith(("\n", "\r")):
        return len(lines) + 1, 1
    return len(lines), len(last) + 1


def edits_between(path: str | Path, old: str, new: str) -> list[Edit]:
    """Line edits that turn ``old`` (the file's current text) into ``new``."""
    before, after = split_lines(old), split_lines(new)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    edits = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        line, column = _start_of(before, i1)
        end_line, end_column = _start_of(before, i2)
        edits.append(Edit(str(path), line, column, end_line, end_column, "".join(after[j1:j2])))
    return edits


def create_file(path: str | Path, content: str) -> Edit:
    """Create ``path`` (and its missing folders) holding ``content``; refused if it exists."""
    return Edit(str(path), 1, 1, 1, 1, content, kind="create")


def move_file(source: str | Path, target: str | Path) -> Edit:
    """Move ``source`` to ``target`` (``git mv`` inside a git work tree); text edits of the
    same fix that name ``source`` are applied to it before the move."""
    return Edit(str(target), 1, 1, 1, 1, "", kind="move", source=str(source))
