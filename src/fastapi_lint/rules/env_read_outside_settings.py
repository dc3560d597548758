"""FAPI201 env-read-outside-settings: placeholder, being written."""

from __future__ import annotations

from fastapi_lint.linter.rule import Rule


class EnvReadOutsideSettings(Rule):
    """To be written."""

    code = "FAPI201"
    name = "env-read-outside-settings"
    summary = "To be written."
