"""Which files to lint: ``.py``/``.pyi`` below the given paths, minus what is excluded."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from fastapi_lint.linter import observe

DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".fastapi_lint_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "__pycache__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)

PYTHON_SUFFIXES = (".py", ".pyi")


def _compile(patterns: tuple[str, ...], root: str) -> "tuple[tuple[str, ...], re.Pattern[str], re.Pattern[str], str]":
    """Regular expressions equivalent to ``fnmatchcase`` on the name with any pattern, and
    on the path relative to the root with any pattern (or, for a pattern with a slash,
    anything below it)."""
    relative = [*patterns, *(pattern.rstrip("/") + "/*" for pattern in patterns if "/" in pattern)]

    def either(globs: list[str]) -> "re.Pattern[str]":
        return re.compile("|".join(f"(?:{fnmatch.translate(glob)})" for glob in globs) or "(?!)")

    prefix = root if root.endswith(os.sep) else root + os.sep
    return patterns, either(list(patterns)), either(relative), prefix


@dataclass
class Excluder:
    """Decides whether a path is excluded, by globs and by ``.gitignore`` files."""

    root: Path
    patterns: Sequence[str] = DEFAULT_EXCLUDE
    respect_gitignore: bool = True
    _gitignores: dict[Path, object | None] = field(default_factory=dict)
    _no_ignore_file: set[str] = field(default_factory=set)
    _compiled: "tuple[tuple[str, ...], re.Pattern[str], re.Pattern[str], str] | None" = None

    def matches_patterns(self, path: Path) -> bool:
        # String operations and one regular expression per form: this runs for every
        # file and folder of the project (a glob at a time cost more than the walk).
        compiled = self._compiled
        if compiled is None or compiled[0] != tuple(self.patterns):
            compiled = self._compiled = _compile(tuple(self.patterns), str(self.root))
        _, names, relatives, root = compiled
        target = str(path)
        if target.startswith(root):
            relative = target[len(root) :].replace(os.sep, "/")
        elif target + os.sep == root:
            relative = "."
        else:
            relative = path.as_posix()
        return bool(names.match(path.name) or relatives.match(relative))

    def is_excluded(self, path: Path, is_dir: bool) -> bool:
        if self.matches_patterns(path):
            return True
        if is_dir and _is_file(path / "pyvenv.cfg"):
            return True
        return self.respect_gitignore and self._gitignored(path, is_dir)

    def _gitignored(self, path: Path, is_dir: bool) -> bool:
        # String operations: this runs for every file and folder of the project.
        target = str(path)
        root = str(self.root)
        directory = os.path.dirname(target)
        while True:
            spec = self._spec_for(Path(directory)) if directory not in self._no_ignore_file else None
            if spec is None:
                self._no_ignore_file.add(directory)
            else:
                relative = os.path.relpath(target, directory).replace(os.sep, "/") + ("/" if is_dir else "")
                if spec.match_file(relative):  # type: ignore[attr-defined]
                    return True
            parent = os.path.dirname(directory)
            if directory == root or parent == directory or not (parent == root or parent.startswith(root + os.sep)):
                return False
            directory = parent

    def _spec_for(self, directory: Path) -> object | None:
        if directory not in self._gitignores:
            spec = None
            ignore_file = directory / ".gitignore"
            if _is_file(ignore_file):
                try:
                    import pathspec

                    raw = ignore_file.read_bytes()
                    observe.read(ignore_file, raw)
                    lines = raw.decode("utf-8", errors="replace").splitlines()
                    spec = pathspec.GitIgnoreSpec.from_lines(lines)
                except (OSError, ValueError):
                    spec = None
            self._gitignores[directory] = spec
        return self._gitignores[directory]


def iter_python_files(
    paths: Iterable[Path],
    excluder: Excluder,
    force_exclude: bool = False,
    skip_nested_projects: bool = False,
    projects: set[Path] | None = None,
) -> Iterator[Path]:
    """Python files below ``paths``; a file named explicitly is kept unless ``force_exclude``.

    With ``skip_nested_projects``, a folder holding its own ``pyproject.toml`` is another
    project and is not entered (the project index of the outer one stops there).
    ``projects``, when given, receives the folders walked that hold a ``pyproject.toml``
    (so that one walk can serve both the files to lint and a project's index).
    """
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            for found in _walk_directory(path, excluder, skip_nested_projects, projects):
                if found not in seen:
                    seen.add(found)
                    yield found
        elif path.exists():
            if force_exclude and (excluder.is_excluded(path, False) or _parent_excluded(path, excluder)):
                continue
            if path not in seen:
                seen.add(path)
                yield path


def _is_file(path: Path) -> bool:
    """``Path.is_file`` without the PermissionError of a folder that cannot be searched."""
    return observe.is_file(path)


def _entry_is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def without_nested_projects(files: Iterable[Path], root: Path, projects: set[Path]) -> list[Path]:
    """The files of a walk of ``root`` that a walk skipping nested projects would give."""
    prefixes = tuple(str(folder) + os.sep for folder in projects if folder != root)
    if not prefixes:
        return list(files)
    return [path for path in files if not str(path).startswith(prefixes)]


def _parent_excluded(path: Path, excluder: Excluder) -> bool:
    for parent in path.parents:
        try:
            parent.relative_to(excluder.root)
        except ValueError:
            return False
        if parent == excluder.root:
            return False
        if excluder.is_excluded(parent, True):
            return True
    return False


def _walk_directory(
    top: Path, excluder: Excluder, skip_nested_projects: bool = False, projects: set[Path] | None = None
) -> Iterator[Path]:
    if top != excluder.root and excluder.is_excluded(top, True):
        return
    stack = [top]
    visited: set[tuple[int, int]] = set()
    while stack:
        directory = stack.pop()
        try:
            stat = directory.stat()
            if (stat.st_dev, stat.st_ino) in visited:
                continue  # a symlink loop
            visited.add((stat.st_dev, stat.st_ino))
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            observe.listed(str(directory), None)
            continue
        observe.listed(str(directory), entries)
        subdirectories = []
        if projects is not None and any(entry.name == "pyproject.toml" and _entry_is_file(entry) for entry in entries):
            projects.add(directory)
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                # A symbolic link loop: named like a module, it is reported when read.
                is_dir = False
            if is_dir:
                if skip_nested_projects and _is_file(path / "pyproject.toml"):
                    continue
                if not excluder.is_excluded(path, True):
                    subdirectories.append(path)
            elif entry.name.endswith(PYTHON_SUFFIXES) and not excluder.is_excluded(path, False):
                yield path
        stack.extend(reversed(subdirectories))
