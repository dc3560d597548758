"""FAPI401 heavy-background-task: placeholder, being written."""

from __future__ import annotations

from fastapi_lint.linter.rule import Rule


class HeavyBackgroundTask(Rule):
    """To be written."""

    code = "FAPI401"
    name = "heavy-background-task"
    summary = "To be written."
