"""Running the example apps under examples/: copies, trees, the linter and their own tests.

Each example app ships its own pytest suite; the end-to-end fix tests run it in a
subprocess before and after fixing a copy, and compare the copy's files with the
expected tree under tests/data/fixed/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
EXAMPLES = REPOSITORY / "examples"
FIXED = REPOSITORY / "tests" / "data" / "fixed"
# What running an app or the linter leaves behind: never part of a tree compared.
NOT_SOURCE = frozenset({"__pycache__", ".pytest_cache", ".fastapi_lint_cache", ".ruff_cache", ".git"})


def copy_example(name: str, destination: Path) -> Path:
    target = destination / name
    shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns(*NOT_SOURCE, "*.db"))
    return target


def text_tree(root: Path) -> dict[str, str]:
    """Every file of ``root`` (relative path -> text), run-time leftovers aside."""
    return {path: data.decode("utf-8") for path, data in byte_tree(root).items()}


def byte_tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not NOT_SOURCE & set(path.relative_to(root).parts) and path.suffix != ".db"
    }


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}


def lint(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """``fastapi-lint check ARGUMENTS .`` in ``root``, without the persistent cache."""
    command = [sys.executable, "-m", "fastapi_lint", "check", "--no-cache", *arguments, "."]
    return subprocess.run(command, cwd=root, env=environment(), capture_output=True, text=True, timeout=120)


def app_tests(root: Path) -> subprocess.CompletedProcess[str]:
    """The app's own test suite."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"]
    return subprocess.run(command, cwd=root, env=environment(), capture_output=True, text=True, timeout=120)
