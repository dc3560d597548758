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
    _gitignores: dict[str, object | None] = field(default_factory=dict)
    # A folder -> the .gitignore files that apply to what it holds, nearest first (folder, spec).
    _ignore_chains: "dict[str, tuple[tuple[str, object], ...]]" = field(default_factory=dict)
    _compiled: "tuple[tuple[str, ...], re.Pattern[str], re.Pattern[str], str] | None" = None

    # String operations throughout: this runs for every file and folder of the project
    # (pathlib, or a glob at a time, cost more than the walk).

    def matches_patterns(self, path: Path) -> bool:
        return self._matches(str(path), path.name)

    def _matches(self, target: str, name: str) -> bool:
        compiled = self._compiled
        if compiled is None or compiled[0] != tuple(self.patterns):
            compiled = self._compiled = _compile(tuple(self.patterns), str(self.root))
        _, names, relatives, root = compiled
        if target.startswith(root):
            relative = target[len(root) :].replace(os.sep, "/")
        elif target + os.sep == root:
            relative = "."
        else:
            relative = target.replace(os.sep, "/")
        return bool(names.match(name) or relatives.match(relative))

    def is_excluded(self, path: Path, is_dir: bool) -> bool:
        return self._excluded(str(path), path.name, is_dir)

    def _excluded(self, target: str, name: str, is_dir: bool) -> bool:
        """``is_excluded`` of the path ``target`` (as ``str(Path)`` gives it), named ``name``."""
        if self._matches(target, name):
            return True
        if is_dir and observe.is_file(os.path.join(target, "pyvenv.cfg")):
            return True
        return self.respect_gitignore and self._gitignored(target, is_dir)

    def _gitignored(self, target: str, is_dir: bool) -> bool:
        for directory, spec in self._ignore_chain(os.path.dirname(target)):
            if target.startswith(directory) and target[len(directory) : len(directory) + 1] == os.sep:
                relative = target[len(directory) + 1 :]
            else:
                relative = os.path.relpath(target, directory)
            if spec.match_file(relative.replace(os.sep, "/") + ("/" if is_dir else "")):  # type: ignore[attr-defined]
                return True
        return False

    def _ignore_chain(self, directory: str) -> "tuple[tuple[str, object], ...]":
        """The .gitignore files of ``directory`` and of the folders above it up to the root."""
        chain = self._ignore_chains.get(directory)
        if chain is None:
            spec = self._spec_for(directory)
            own: tuple[tuple[str, object], ...] = () if spec is None else ((directory, spec),)
            root = str(self.root)
            parent = os.path.dirname(directory)
            if directory == root or parent == directory or not (parent == root or parent.startswith(root + os.sep)):
                chain = own
            else:
                chain = own + self._ignore_chain(parent)
            self._ignore_chains[directory] = chain
        return chain

    def _spec_for(self, directory: str) -> object | None:
        if directory not in self._gitignores:
            spec = None
            ignore_file = os.path.join(directory, ".gitignore")
            if observe.is_file(ignore_file):
                try:
                    import pathspec

                    with open(ignore_file, "rb") as handle:
                        raw = handle.read()
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
    # By text: a walk's paths are normalised as ``str(Path)`` is, and hashing a string
    # costs less than hashing a Path (this runs for every file of the project).
    seen: set[str] = set()
    for path in paths:
        if path.is_dir():
            for found in _walk_directory(path, excluder, skip_nested_projects, projects):
                if found not in seen:
                    seen.add(found)
                    yield Path(found)
        elif path.exists():
            if force_exclude and (excluder.is_excluded(path, False) or _parent_excluded(path, excluder)):
                continue
            text = str(path)
            if text not in seen:
                seen.add(text)
                yield path


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
) -> Iterator[str]:
    """The paths (as text) of the Python files below ``top``, folder by folder in name order."""
    if top != excluder.root and excluder.is_excluded(top, True):
        return
    stack = [str(top)]
    visited: set[tuple[int, int]] = set()
    excluded = excluder._excluded
    while stack:
        directory = stack.pop()
        entries = _scan_directory(directory, visited)
        if entries is None:
            continue
        observe.listed(str(directory), entries)
        subdirectories = []
        if projects is not None and any(entry.name == "pyproject.toml" and _entry_is_file(entry) for entry in entries):
            projects.add(Path(directory))
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                # A symbolic link loop: named like a module, it is reported when read.
                is_dir = False
            if is_dir:
                path = entry.path
                if skip_nested_projects and observe.is_file(os.path.join(path, "pyproject.toml")):
                    continue
                if not excluded(path, name, True):
                    subdirectories.append(path)
            elif name.endswith(PYTHON_SUFFIXES) and not excluded(entry.path, name, False):
                yield entry.path
        stack.extend(reversed(subdirectories))


def _scan_directory(directory: str, visited: set[tuple[int, int]]) -> "list[os.DirEntry[str]] | None":
    """The entries of one folder of a walk, by name; None when it cannot be listed or was
    already walked (a symbolic link loop)."""
    try:
        stat = os.stat(directory)
        if (stat.st_dev, stat.st_ino) in visited:
            return None
        visited.add((stat.st_dev, stat.st_ino))
        return sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        observe.listed(directory, None)
        return None
