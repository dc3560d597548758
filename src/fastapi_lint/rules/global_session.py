"""FAPI301 global-session: placeholder, being written."""

from __future__ import annotations

from fastapi_lint.linter.rule import Rule


class GlobalSession(Rule):
    """To be written."""

    code = "FAPI301"
    name = "global-session"
    summary = "To be written."
