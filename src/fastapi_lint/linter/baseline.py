"""Baselines: record today's findings, then report only new ones."""

from __future__ import annotations

from pathlib import Path

from fastapi_lint.linter.engine import RunResult


class BaselineError(Exception):
    """A baseline file that cannot be read; the message is for the user."""


def write_baseline_file(path: Path, result: RunResult, cwd: Path) -> int:
    """Write the findings of ``result`` as a baseline; returns how many entries were written."""
    raise NotImplementedError


def apply_baseline(path: Path, result: RunResult, cwd: Path) -> list[str]:
    """Remove the findings recorded in the baseline from ``result``; return the stale entries."""
    raise NotImplementedError
