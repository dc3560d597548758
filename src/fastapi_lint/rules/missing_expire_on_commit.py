"""FAPI302 missing-expire-on-commit: placeholder, being written."""

from __future__ import annotations

from fastapi_lint.linter.rule import Rule


class MissingExpireOnCommit(Rule):
    """To be written."""

    code = "FAPI302"
    name = "missing-expire-on-commit"
    summary = "To be written."
