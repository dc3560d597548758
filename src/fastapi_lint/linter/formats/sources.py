"""The text of reported files, read once per file, for formats that quote source lines."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi_lint.linter.source import SourceError, read_source

# The line breaks Python's tokenizer (and so LibCST's line numbers) knows; str.splitlines
# would also split on form feeds and Unicode separators and shift every later line.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class SourceLines:
    """Source lines by reported path (relative to ``cwd`` or absolute), or None when unreadable."""

    def __init__(self, cwd: Path | None = None) -> None:
        self.cwd = cwd or Path.cwd()
        self._files: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self._files:
            self._files[path] = self._read(path)
        return self._files[path]

    def line(self, path: str, number: int) -> str | None:
        """Line ``number`` (1-based) of ``path`` without its line break, or None."""
        lines = self.lines(path)
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]

    def _read(self, path: str) -> list[str] | None:
        try:
            text = read_source(self.cwd / path).text
        except SourceError:
            return None
        # Without a carriage return, the only line break is "\n" (a plain split is faster).
        lines = text.split("\n") if "\r" not in text else _LINE_BREAK.split(text)
        # A final line break ends the last line; it does not start another one.
        if lines and lines[-1] == "":
            lines.pop()
        return lines
