"""Corpora to lint: copies made for the benchmark, their files, and who imports whom."""

from __future__ import annotations

import ast
import os
import shutil
import sysconfig
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from measure import BenchError

# Never part of a corpus: caches, version control and environments. ``venv`` is
# also the name of a stdlib package, which linters skip by default, some of
# them only: left out so that every tool lints the same files.
SKIPPED_DIRECTORIES = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "node_modules", "site-packages",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".fastapi_lint_cache", ".tox", ".nox",
    }
)
PYTHON_SUFFIXES = (".py", ".pyi")
STUB_PYPROJECT = '[project]\nname = "benchmark-corpus"\nversion = "0"\n'


@dataclass(frozen=True)
class Corpus:
    name: str
    root: Path
    # Where it came from, for the report.
    source: str
    files: tuple[Path, ...]
    lines: int


def load(name: str, root: Path, source: str) -> Corpus:
    files = python_files(root)
    if not files:
        raise BenchError(f"{source}: no Python files to lint")
    lines = sum(path.read_bytes().count(b"\n") for path in files)
    return Corpus(name, root, source, files, lines)


def python_files(root: Path) -> tuple[Path, ...]:
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(name for name in subdirectories if name not in SKIPPED_DIRECTORIES)
        found.extend(Path(directory, name) for name in sorted(names) if name.endswith(PYTHON_SUFFIXES))
    return tuple(found)


def copy_directory(source: Path, target: Path) -> None:
    """Copy a user's directory, so that caches and the incremental edit never touch it."""
    if not source.is_dir():
        raise BenchError(f"{source}: not a directory")
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*SKIPPED_DIRECTORIES), symlinks=True)
    _isolate(target)


def copy_stdlib(target: Path) -> Path:
    """Copy the Python files of the standard library's ``Lib/`` (not site-packages)."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])

    def ignore(directory: str, names: list[str]) -> list[str]:
        return [
            name
            for name in names
            if name in SKIPPED_DIRECTORIES
            or (not name.endswith(PYTHON_SUFFIXES) and not os.path.isdir(os.path.join(directory, name)))
        ]

    shutil.copytree(stdlib, target, ignore=ignore)
    _isolate(target)
    return stdlib


def _isolate(root: Path) -> None:
    """Give the copy a pyproject.toml of its own, so that no tool reads configuration above it."""
    if not (root / "pyproject.toml").exists():
        (root / "pyproject.toml").write_text(STUB_PYPROJECT, encoding="utf-8")


def sample(files: tuple[Path, ...], size: int) -> tuple[Path, ...]:
    """``size`` files spread evenly over the sorted list (every kind of file is represented)."""
    if size <= 0 or size >= len(files):
        return files
    step = len(files) / size
    return tuple(files[int(index * step)] for index in range(size))


# -- imports -----------------------------------------------------------------------


def importers(root: Path, files: tuple[Path, ...]) -> dict[Path, set[Path]]:
    """For each file, the files that import it (``import a.b`` also imports ``a``)."""
    modules = {_module_name(path, root): path for path in files}
    imported_by: dict[Path, set[Path]] = {path: set() for path in files}
    for path in files:
        for name in _imported_names(path, root):
            target = modules.get(name)
            if target is not None and target != path:
                imported_by[target].add(path)
    return imported_by


def dependents(imported_by: dict[Path, set[Path]], changed: Path) -> set[Path]:
    """Every file that imports ``changed``, directly or through other files."""
    seen: set[Path] = set()
    queue = deque([changed])
    while queue:
        for importer in imported_by.get(queue.popleft(), ()):
            if importer not in seen and importer != changed:
                seen.add(importer)
                queue.append(importer)
    return seen


def typical_edit(imported_by: dict[Path, set[Path]]) -> Path | None:
    """The module an everyday commit changes: one imported by others, with the median
    number of dependents (package ``__init__`` files, imported by everything below
    them, are left out)."""
    candidates = sorted(
        (len(dependents(imported_by, path)), str(path), path)
        for path, users in imported_by.items()
        if users and path.name != "__init__.py"
    )
    if not candidates:
        return None
    return candidates[len(candidates) // 2][2]


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_names(path: Path, root: Path) -> set[str]:
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names.update(_with_parents(alias.name))
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node.module, node.level, package)
            if base is None:
                continue
            names.update(_with_parents(base))
            # ``from pkg import mod`` imports the module ``pkg.mod`` when there is one.
            names.update(f"{base}.{alias.name}" if base else alias.name for alias in node.names)
    return names


def _resolve(module: str | None, level: int, package: str) -> str | None:
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _with_parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:count]) for count in range(1, len(parts) + 1)]

