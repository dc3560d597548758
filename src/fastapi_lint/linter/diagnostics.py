"""The records the engine produces: small, immutable and picklable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Applicability = Literal["safe", "unsafe"]
# What an edit does to its file: change text in it, create it (``content`` is the whole
# file), or move it here from ``source`` (its text edits, if any, come separately).
EditKind = Literal["replace", "create", "move"]


@dataclass(frozen=True)
class Edit:
    """Replace the text between two positions of one file (1-based lines and columns).

    An edit whose start equals its end inserts ``content``. A fix that touches several
    files has edits with several paths; rules give other files' paths absolute, the
    engine shows them relative to the working directory like every path.
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    content: str
    kind: EditKind = "replace"
    # For a move: the file's path before it.
    source: str | None = None

    def to_json(self) -> dict[str, object]:
        record: dict[str, object] = {
            "path": self.path,
            "location": {"line": self.line, "column": self.column},
            "end_location": {"line": self.end_line, "column": self.end_column},
            "content": self.content,
        }
        if self.kind != "replace":
            record["kind"] = self.kind
        if self.source is not None:
            record["source"] = self.source
        return record


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]

    def is_multi_file(self, path: str) -> bool:
        """Whether applying it touches more than the file ``path`` (the finding's):
        such fixes are applied by the engine once every file has been linted."""
        return any(edit.path != path or edit.kind != "replace" for edit in self.edits)

    def paths(self) -> list[str]:
        """Every file the fix touches, in order: edited, created, moved from and to."""
        seen: dict[str, None] = {}
        for edit in self.edits:
            if edit.source is not None:
                seen.setdefault(edit.source)
            seen.setdefault(edit.path)
        return list(seen)

    def to_json(self) -> dict[str, object]:
        return {
            "applicability": self.applicability,
            "message": self.message,
            "edits": [edit.to_json() for edit in self.edits],
        }


@dataclass(frozen=True)
class Diagnostic:
    code: str
    name: str
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    fix: Fix | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def to_json(self, display_path: str | None = None) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "path": display_path if display_path is not None else self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "fix": self.fix.to_json() if self.fix else None,
        }


@dataclass(frozen=True)
class FileError:
    """A file that could not be linted (unreadable, undecodable); not a finding."""

    path: str
    message: str


@dataclass(frozen=True)
class InternalError:
    """A bug in the linter itself while linting one file."""

    path: str
    rule: str
    message: str
