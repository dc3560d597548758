"""Fingerprints that survive edits elsewhere in a file, for CI servers that track findings across runs."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Callable, Sequence

from fastapi_lint.linter.diagnostics import Diagnostic
from fastapi_lint.linter.formats.sources import SourceLines


def stable_fingerprints(
    diagnostics: Sequence[Diagnostic], sources: SourceLines, path_of: Callable[[Diagnostic], str] | None = None
) -> list[str]:
    """One fingerprint per diagnostic, in order.

    Built from the path, the code and the text of the reported line (whitespace
    collapsed), not the line number, so a line inserted above leaves it unchanged;
    an occurrence counter tells apart identical lines in one file. The message is left
    out: it may quote line numbers of other files.
    """
    seen: Counter[tuple[str, str, str]] = Counter()
    fingerprints = []
    for diagnostic in diagnostics:
        path = path_of(diagnostic) if path_of else diagnostic.path
        text = " ".join((sources.line(diagnostic.path, diagnostic.line) or "").split())
        key = (path, diagnostic.code, text)
        occurrence = seen[key]
        seen[key] += 1
        payload = json.dumps([*key, occurrence], ensure_ascii=False)
        fingerprints.append(hashlib.sha256(payload.encode("utf-8")).hexdigest())
    return fingerprints
