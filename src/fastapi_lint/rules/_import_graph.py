"""FAPI101's fix, part 3: the import cycles a restructure would create.

Before the restructure, importing ``app.crud.crud_user`` first ran ``app/crud/__init__.py``;
after it, ``app.users.crud`` runs on its own, and when it imports ``app.crud.base`` the
layer package's ``__init__.py`` runs *while* ``app.users.crud`` is half initialised. When
that ``__init__.py`` re-exports ``from ..users.crud import user``, the import fails.
This module reads the module-level imports of every project module (statically, with
``ast``) and finds such new cycles.
"""

from __future__ import annotations

import ast
import warnings
from typing import Callable, Iterable, Mapping



def resolve_relative(package: str, level: int, module: str) -> str | None:
    """The absolute name of ``from <level dots><module> import``, written in ``package``."""
    parts = package.split(".") if package else []
    up = level - 1
    if up >= len(parts):
        return None
    base = parts[: len(parts) - up]
    if module:
        base.extend(module.split("."))
    return ".".join(base)


def relative_from(package: str, target: str) -> tuple[int, str] | None:
    """``(dots, rest)`` to import ``target`` relatively from ``package``; None across top packages."""
    here = package.split(".") if package else []
    there = target.split(".")
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    if common == 0:
        return None
    return len(here) - common + 1, ".".join(there[common:])


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:cut]) for cut in range(1, len(parts))]


def _top_level_statements(body: Iterable[ast.stmt]) -> Iterable[ast.stmt]:
    """The statements run when the module is imported (class bodies included, ``if TYPE_CHECKING`` not)."""
    for statement in body:
        yield statement
        if isinstance(statement, ast.If):
            test = statement.test
            name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else None
            if name != "TYPE_CHECKING":
                yield from _top_level_statements(statement.body)
            yield from _top_level_statements(statement.orelse)
        elif isinstance(statement, (ast.Try, ast.With)):
            yield from _top_level_statements(statement.body)
            for handler in getattr(statement, "handlers", ()):
                yield from _top_level_statements(handler.body)
            yield from _top_level_statements(getattr(statement, "orelse", ()))
            yield from _top_level_statements(getattr(statement, "finalbody", ()))
        elif isinstance(statement, ast.ClassDef):
            yield from _top_level_statements(statement.body)


class ImportGraph:
    """Module name -> the project modules its import runs (module-level imports only)."""

    def __init__(self, modules: Mapping[str, tuple[Callable[[], str | None], bool]]) -> None:
        """``modules``: name -> (a function giving its text, whether it is a package); a module
        is read and parsed only when a search reaches it."""
        self.modules = modules
        self.known = set(modules)
        self._edges: dict[str, set[str]] = {}

    def _edges_of(self, name: str) -> set[str]:
        if name not in self._edges:
            entry = self.modules.get(name)
            text = entry[0]() if entry is not None else None
            self._edges[name] = self._imports(name, entry[1], text) if entry is not None and text is not None else set()
        return self._edges[name]

    def _imports(self, name: str, is_package: bool, text: str) -> set[str]:
        try:
            # The project's own warnings (``"\\d"``) are not the linter's to print.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return set()
        package = name if is_package else name.rpartition(".")[0]
        targets: set[str] = set()
        for statement in _top_level_statements(tree.body):
            if isinstance(statement, ast.Import):
                targets.update(alias.name for alias in statement.names)
            elif isinstance(statement, ast.ImportFrom):
                base = (
                    resolve_relative(package, statement.level, statement.module or "")
                    if statement.level
                    else statement.module
                )
                if base is None:
                    continue
                targets.add(base)
                targets.update(f"{base}.{alias.name}" for alias in statement.names)
        runs: set[str] = set()
        for target in targets:
            for module in (*_ancestors(target), target):
                if module in self.known:
                    runs.add(module)
        return runs

    def direct(self, name: str) -> set[str]:
        return self._edges_of(name)

    def reaches(self, start: str, target: str, in_progress: set[str]) -> list[str] | None:
        """A chain of imports from ``start`` back to ``target``, not entering the modules
        ``in_progress`` (already being imported: importing them again does nothing)."""
        parents: dict[str, str | None] = {start: None}
        queue = [start]
        while queue:
            current = queue.pop(0)
            if current == target:
                chain = []
                node: str | None = current
                while node is not None:
                    chain.append(node)
                    node = parents[node]
                return list(reversed(chain))
            if current in in_progress and current != start:
                continue
            for following in sorted(self._edges_of(current)):
                if following not in parents and (following not in in_progress or following == target):
                    parents[following] = current
                    queue.append(following)
        return None


def cycle_through(graph: ImportGraph, module: str) -> list[str] | None:
    """An import chain that comes back to ``module`` while it is half initialised (its own
    ancestor packages are already being imported, so they do not count)."""
    in_progress = {module, *_ancestors(module)}
    for target in sorted(graph.direct(module)):
        if target in in_progress:
            continue
        chain = graph.reaches(target, module, in_progress - {module})
        if chain is not None:
            return [module, *chain]
    return None
