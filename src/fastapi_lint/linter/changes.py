"""Changed-files mode: which lines changed since a git revision (``--diff-base``)."""

from __future__ import annotations

from pathlib import Path

from fastapi_lint.linter.engine import RunResult


class ChangesError(Exception):
    """git could not tell what changed; the message is for the user."""


def changed_lines(rev: str, cwd: Path) -> dict[Path, set[int]]:
    """Absolute path -> the 1-based lines added or modified since ``rev`` (working tree included)."""
    raise NotImplementedError


def keep_changed(result: RunResult, changed: dict[Path, set[int]], cwd: Path) -> None:
    """Drop the findings that are not on a changed line."""
    raise NotImplementedError
