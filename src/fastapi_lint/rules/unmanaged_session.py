"""FAPI303 unmanaged-session: placeholder, being written."""

from __future__ import annotations

from fastapi_lint.linter.rule import Rule


class UnmanagedSession(Rule):
    """To be written."""

    code = "FAPI303"
    name = "unmanaged-session"
    summary = "To be written."
