"""The offending source lines of a finding with carets under the reported span, as ruff's full output shows them."""

from __future__ import annotations

import unicodedata
from typing import Callable, Sequence

from fastapi_lint.linter.diagnostics import Diagnostic

Style = Callable[..., str]

TAB = "    "
# A longer span shows its first and last lines around an ellipsis.
MAX_LINES = 6
HEAD_LINES, TAIL_LINES = 3, 2


def _width(text: str) -> int:
    """Terminal columns ``text`` takes, so carets line up under wide and combining characters."""
    if text.isascii():
        # No ASCII character is wide or combining: one column each, a tab's four aside.
        return len(text) + (len(TAB) - 1) * text.count("\t")
    width = 0
    for char in text:
        if char == "\t":
            width += len(TAB)
        elif unicodedata.combining(char):
            continue
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            width += 2
        else:
            width += 1
    return width


def _underline(text: str, number: int, diagnostic: Diagnostic) -> tuple[int, int] | None:
    """Where the carets go under line ``number``: (indent, count), in display columns.

    Diagnostic columns are 1-based and the end is exclusive.
    """
    stripped = len(text) - len(text.lstrip())
    first = number == diagnostic.line
    last = number == diagnostic.end_line
    if not first and not last and stripped == len(text):
        return None
    start = diagnostic.column if first else stripped + 1
    end = diagnostic.end_column if last else len(text) + 1
    start = max(1, min(start, len(text) + 1))
    end = min(end, len(text) + 1)
    carets = max(1, _width(text[start - 1 : end - 1]))
    return _width(text[: start - 1]), carets


def _shown_lines(diagnostic: Diagnostic) -> list[int | None]:
    """Line numbers to quote; None stands for the elided middle of a long span."""
    numbers: list[int | None] = list(range(diagnostic.line, max(diagnostic.line, diagnostic.end_line) + 1))
    if len(numbers) <= MAX_LINES:
        return numbers
    return [*numbers[:HEAD_LINES], None, *numbers[-TAIL_LINES:]]


def render_snippet(
    diagnostic: Diagnostic, lines: list[str] | None, style: Style, notes: Sequence[str] = ()
) -> list[str] | None:
    """The quoted lines with a gutter, then ``notes`` (``= fix: ...``); None when the reported line is not in ``lines``."""
    if lines is None or not 1 <= diagnostic.line <= len(lines):
        return None
    numbers = [number for number in _shown_lines(diagnostic) if number is None or number <= len(lines)]
    gutter_width = len(str(max(number for number in numbers if number is not None)))
    empty_gutter = style(" " * gutter_width + " |", fg="blue", bold=True)
    rendered = [empty_gutter]
    for number in numbers:
        if number is None:
            rendered.append(style("...", fg="blue", bold=True))
            continue
        text = lines[number - 1]
        gutter = style(f"{number:>{gutter_width}} |", fg="blue", bold=True)
        rendered.append(f"{gutter} {text.replace(chr(9), TAB)}".rstrip())
        underline = _underline(text, number, diagnostic)
        if underline is not None:
            indent, carets = underline
            rendered.append(f"{empty_gutter} {' ' * indent}{style('^' * carets, fg='red', bold=True)}")
    rendered.append(empty_gutter)
    rendered.extend(style(f"{' ' * (gutter_width + 1)}= {note}", fg="cyan") for note in notes)
    return rendered
