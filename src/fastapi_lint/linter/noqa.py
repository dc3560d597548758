"""``# noqa`` comments: which findings on a line they silence."""

from __future__ import annotations

import re
from typing import Iterable

from fastapi_lint.linter.diagnostics import Diagnostic

# ``# noqa``, ``# noqa: FAPI201``, ``# noqa: FAPI201, E501`` (codes of other tools may follow).
NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.IGNORECASE)


def noqa_codes(line: str) -> frozenset[str] | None:
    """None when the line has no noqa; an empty set for a bare ``# noqa`` (silences all)."""
    if "#" not in line:
        return None
    match = NOQA.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    if not codes:
        return frozenset()
    return frozenset(code.strip().upper() for code in codes.split(","))


def is_silenced(code: str, codes: frozenset[str] | None) -> bool:
    return codes is not None and (not codes or code in codes)


def filter_noqa(diagnostics: Iterable[Diagnostic], text: str) -> list[Diagnostic]:
    lines = text.splitlines()
    kept = []
    for diagnostic in diagnostics:
        line = lines[diagnostic.line - 1] if 0 < diagnostic.line <= len(lines) else ""
        if not is_silenced(diagnostic.code, noqa_codes(line)):
            kept.append(diagnostic)
    return kept


def file_silences(text: str, code: str) -> bool:
    """Whether any line of the file carries a noqa for ``code`` (project-level findings)."""
    return any(
        (codes := noqa_codes(line)) is not None and code in codes for line in text.splitlines() if "noqa" in line.lower()
    )
