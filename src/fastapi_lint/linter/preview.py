"""``--diff`` for fixes across files: run the real fix passes on a scratch copy, then diff.

Multi-file fixes come in passes (each pass is linted anew from what the last one
wrote), so the only faithful preview is to apply them: the project is copied (its
Python sources and the few files the rules read), fixed there exactly as ``--fix``
would, and every file that came out different is shown as a unified diff against
the original, moves as renames. Nothing of the user's tree is written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from fastapi_lint.linter.multi_fix import changed, created, diff_texts, renamed

if TYPE_CHECKING:
    from fastapi_lint.linter.engine import Engine, RunResult

# Besides Python sources, the files rules or discovery read.
_COPIED_NAMES = frozenset({"pyproject.toml", "setup.cfg", "setup.py", "Pipfile", ".gitignore"})
_COPIED_SUFFIXES = (".py", ".pyi")
# Never worth copying: version control, environments, caches.
_SKIPPED_DIRECTORIES = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__", ".mypy_cache",
     ".pytest_cache", ".ruff_cache", ".fastapi_lint_cache", "build", "dist", "site-packages"}
)


def _copied(name: str) -> bool:
    return name.endswith(_COPIED_SUFFIXES) or name in _COPIED_NAMES or (name.startswith("requirements") and name.endswith(".txt"))


def can_preview(engine: "Engine", paths: Sequence[Path]) -> bool:
    """Whether everything the run reads lies under the working directory (what is copied)."""
    cwd = engine.cwd
    places = [engine.settings.base_directory.resolve(), *(index.root for index in engine._indexes.values())]
    places += [(cwd / path).resolve() for path in paths]
    return all(_is_within(place, cwd) for place in places)


def preview(engine: "Engine", paths: Sequence[Path], make_engine: Callable[..., "Engine"]) -> "RunResult":
    """The result of ``--fix`` on a copy of the working directory, with diffs of what it changed."""
    cwd = engine.cwd
    with tempfile.TemporaryDirectory(prefix="fastapi-lint-preview-") as scratch_name:
        scratch = Path(scratch_name).resolve() / cwd.name
        originals = _copy_tree(cwd, scratch)
        settings = replace(
            engine.settings,
            base_directory=scratch / engine.settings.base_directory.resolve().relative_to(cwd),
            config_path=None,
        )
        options = replace(engine.options, fix=True, diff=False, use_cache=False, add_noqa=False)
        moved_paths = [scratch / (cwd / path).resolve().relative_to(cwd) for path in paths]
        result = make_engine(settings, options, scratch).run(moved_paths)
        result.diff_by_path = _diffs(cwd, scratch, originals, result.moved)
    result.diffs = [result.diff_by_path[shown] for shown in sorted(result.diff_by_path)]
    result.moved = {}
    return result


def _copy_tree(source: Path, target: Path) -> set[str]:
    """Copy the files fixes may read or change; returns their relative paths."""
    copied: set[str] = set()
    for directory, subdirectories, files in os.walk(source):
        subdirectories[:] = [name for name in subdirectories if name not in _SKIPPED_DIRECTORIES]
        relative = Path(directory).relative_to(source)
        for name in files:
            if not _copied(name):
                continue
            origin = Path(directory) / name
            if origin.is_symlink() or not origin.is_file():
                continue
            destination = target / relative / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, destination)
            copied.add((relative / name).as_posix())
    target.mkdir(parents=True, exist_ok=True)
    return copied


def _diffs(original: Path, scratch: Path, copied: set[str], moved: dict[str, str]) -> dict[str, str]:
    """Unified diffs (by shown path) of every file the fixes changed, created or moved."""
    now = {
        (Path(directory).relative_to(scratch) / name).as_posix()
        for directory, _, files in os.walk(scratch)
        for name in files
        if _copied(name)
    }
    renamed_from = {target: source for source, target in moved.items()}
    diffs: dict[str, str] = {}
    for path in sorted(now):
        after = _text(scratch / path)
        source = renamed_from.get(path)
        if source is not None:
            diffs[path] = renamed(source, path) + diff_texts(_text(original / source), after, f"a/{source}", f"b/{path}")
        elif path not in copied:
            diffs[path] = created(path) + diff_texts("", after, "/dev/null", f"b/{path}")
        else:
            before = _text(original / path)
            if before != after:
                diffs[path] = changed(path) + diff_texts(before, after, f"a/{path}", f"b/{path}")
    return diffs


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="surrogateescape")


def _is_within(path: Path, directory: Path) -> bool:
    try:
        path.relative_to(directory)
    except ValueError:
        return False
    return True
