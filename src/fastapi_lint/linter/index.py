"""The project index: every module of the project by dotted name, summarised on demand.

Rules ask it where a name is defined (following imports, re-exports and aliases
across modules) and what a function does (which calls it makes, what it returns).
A module is parsed and summarised only when a rule asks about it; summaries are
small picklable records so that they can be cached.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Literal

from fastapi_lint.linter.source import SourceError, SourceFile, SyntaxProblem, parse_module, read_source

if TYPE_CHECKING:
    import libcst as cst

PROJECT_MARKERS = ("pyproject.toml",)
_MAX_FOLLOW = 12


@dataclass(frozen=True)
class FunctionSummary:
    name: str
    line: int
    is_async: bool
    is_generator: bool
    decorators: tuple[str, ...]
    # Resolved qualified names of everything the function (and functions nested in it) calls.
    calls: tuple[str, ...]
    # Qualified names of the calls whose result the function returns or yields.
    returns: tuple[str, ...]
    params: tuple[str, ...]


@dataclass(frozen=True)
class ClassSummary:
    name: str
    line: int
    bases: tuple[str, ...]
    fields: tuple[str, ...]
    methods: tuple[str, ...]
    # model_config / class Config settings with literal values (env_prefix, case_sensitive, ...).
    config: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class AssignSummary:
    name: str
    line: int
    # The callee when the value is a call: ``SessionLocal = sessionmaker(...)``.
    call: str | None = None
    keywords: tuple[tuple[str, object], ...] = ()
    has_double_star: bool = False
    # The referent when the value is a name: ``get_db = get_session``.
    alias: str | None = None


@dataclass(frozen=True)
class ModuleSummary:
    name: str
    path: str
    is_package: bool
    imports: dict[str, str] = field(default_factory=dict)
    functions: dict[str, FunctionSummary] = field(default_factory=dict)
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    assigns: dict[str, AssignSummary] = field(default_factory=dict)


@dataclass
class Recorder:
    """The project modules one file's rules read (path -> content hash) and the
    module names they looked up (name -> the module found, None when absent)."""

    dependencies: dict[str, str] = field(default_factory=dict)
    lookups: dict[str, str | None] = field(default_factory=dict)


def content_hash(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Symbol:
    """Where a qualified name is defined in the project."""

    kind: Literal["module", "function", "class", "assign"]
    module: ModuleSummary
    qualname: str
    function: FunctionSummary | None = None
    cls: ClassSummary | None = None
    assign: AssignSummary | None = None

    @property
    def location(self) -> str:
        line = (self.function or self.cls or self.assign).line if self.kind != "module" else 1  # type: ignore[union-attr]
        return f"{self.module.path}:{line}"


def find_project_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding a ``pyproject.toml``;
    otherwise the directory above the outermost package containing ``start``.

    The search follows the path as written: a file reached through a symbolic link
    belongs to the project the link is in (and a broken link or a link loop still
    has one). The directory returned is resolved."""
    start = Path(os.path.abspath(start))
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        if any((candidate / marker).is_file() for marker in PROJECT_MARKERS):
            return candidate.resolve()
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        directory = directory.parent
    return directory.resolve()


def module_names(path: Path, root: Path, packages: dict[Path, bool] | None = None) -> tuple[str, bool]:
    """The dotted name of ``path`` in the project, and whether it is a package
    (``packages`` remembers which folders hold an ``__init__.py``, across calls)."""
    known = packages if packages is not None else {}

    def is_package_folder(directory: Path) -> bool:
        found = known.get(directory)
        if found is None:
            found = known[directory] = (directory / "__init__.py").is_file()
        return found

    is_package = path.stem == "__init__"
    directory = path.parent
    if is_package_folder(directory):
        # Inside a package: the name runs from the outermost package.
        parts = [] if is_package else [path.stem]
        while is_package_folder(directory) and directory != root:
            parts.append(directory.name)
            directory = directory.parent
        return ".".join(reversed(parts)), is_package
    try:
        relative = path.relative_to(root)
    except ValueError:
        return path.stem, is_package
    parts = list(relative.parts)
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    parts[-1] = path.stem
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


class ProjectIndex:
    """All modules of one project, summarised lazily."""

    def __init__(self, root: Path, files: Iterable[Path]) -> None:
        self.root = root
        self.paths: dict[str, Path] = {}
        self.packages: set[str] = set()
        self.names_by_path: dict[Path, str] = {}
        package_folders: dict[Path, bool] = {}
        for path in sorted(files):
            if path.suffix != ".py" and path.with_suffix(".py") in self.names_by_path:
                continue
            name, is_package = module_names(path, root, package_folders)
            if not name:
                continue
            self.paths.setdefault(name, path)
            self.names_by_path[path] = name
            if is_package:
                self.packages.add(name)
        self._summaries: dict[str, ModuleSummary | None] = {}
        self._hashes: dict[str, str] = {}
        self._texts: dict[str, str] = {}
        self._sources: dict[str, "SourceFile | None"] = {}
        self._trees: dict[str, "cst.Module | None"] = {}
        self._suffixes: dict[str, str | None] | None = None
        self._signature: str | None = None
        # What the rules linting one file consult, for the cache (set by the engine).
        self.recorder: Recorder | None = None
        # Whether fixes that must read the whole project are worth planning in this run:
        # only when fixing, previewing, or reporting fixes as data (set by the engine).
        self.plan_project_fixes = True
        # Whether the edits of fixes are wanted (set by the engine): a run that neither
        # fixes, previews nor reports fixes as data prints only whether each finding has a
        # fix, its applicability and its message, so rules may leave the edits out.
        self.fix_edits = True
        # Summaries from the persistent cache (path -> (content hash, summary)), and those made now.
        self.stored_summaries: dict[str, tuple[str, ModuleSummary]] = {}
        self.new_summaries: dict[str, tuple[str, ModuleSummary]] = {}

    # -- modules -------------------------------------------------------------

    def module_name(self, path: Path) -> tuple[str, bool]:
        name = self.names_by_path.get(path)
        if name is not None:
            return name, name in self.packages
        return module_names(path, self.root)

    def signature(self) -> str:
        """A hash of the project's module names: while it is unchanged, every name resolves as before."""
        if self._signature is None:
            names = "\n".join(sorted(self.paths))
            self._signature = content_hash(names.encode("utf-8"))
        return self._signature

    def relative_path(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def find_module(self, dotted: str) -> str | None:
        """The project module of that name; an unknown source root is tolerated
        (``app.core`` matches ``backend/app/core.py`` when it is the only match)."""
        found = dotted if dotted in self.paths else self._by_suffix().get(dotted)
        if self.recorder is not None:
            self.recorder.lookups[dotted] = found
        return found

    def _by_suffix(self) -> dict[str, str | None]:
        """Each proper dotted suffix of a module name -> that module (None when several share it)."""
        if self._suffixes is None:
            suffixes: dict[str, str | None] = {}
            for name in self.paths:
                parts = name.split(".")
                for cut in range(1, len(parts)):
                    suffix = ".".join(parts[cut:])
                    suffixes[suffix] = name if suffix not in suffixes else None
            self._suffixes = suffixes
        return self._suffixes

    def split(self, qualname: str) -> tuple[str, list[str]] | None:
        """Split ``pkg.mod.attr.sub`` into its longest project module and the rest."""
        parts = qualname.split(".")
        for cut in range(len(parts), 0, -1):
            module = self.find_module(".".join(parts[:cut]))
            if module is not None:
                return module, parts[cut:]
        return None

    def mentions(self, module: str, words: tuple[str, ...]) -> bool:
        """Whether the module's text contains one of ``words``: a cheap test that saves
        parsing a module that cannot hold what a rule looks for."""
        if module not in self._texts:
            path = self.paths.get(module)
            text = ""
            if path is not None:
                try:
                    source = read_source(path)
                    text = source.text
                    self._hashes.setdefault(module, content_hash(source.raw))
                except SourceError:
                    pass
            self._texts[module] = text
        if self.recorder is not None and module in self._hashes:
            self.recorder.dependencies[str(self.paths[module])] = self._hashes[module]
        text = self._texts[module]
        return any(word in text for word in words)

    def source(self, module: str) -> SourceFile | None:
        """The text of a project module, for fixes that edit it (recorded as a dependency)."""
        if module not in self._sources:
            path = self.paths.get(module)
            found: SourceFile | None = None
            if path is not None:
                try:
                    found = read_source(path)
                    self._hashes.setdefault(module, content_hash(found.raw))
                except SourceError:
                    found = None
            self._sources[module] = found
        if self.recorder is not None and module in self._hashes:
            self.recorder.dependencies[str(self.paths[module])] = self._hashes[module]
        return self._sources[module]

    def tree(self, module: str) -> "cst.Module | None":
        """A project module parsed (once per run), for fixes that edit it; None when it
        cannot be read or parsed."""
        if module not in self._trees:
            source = self.source(module)
            parsed = parse_module(source.text) if source is not None else None
            self._trees[module] = None if parsed is None or isinstance(parsed, SyntaxProblem) else parsed
        elif self.recorder is not None and module in self._hashes:
            self.recorder.dependencies[str(self.paths[module])] = self._hashes[module]
        return self._trees[module]

    def summary(self, module: str) -> ModuleSummary | None:
        if module not in self._summaries:
            self._summaries[module] = self._summarise_path(module)
        if self.recorder is not None and module in self._hashes:
            self.recorder.dependencies[str(self.paths[module])] = self._hashes[module]
        return self._summaries[module]

    def add_tree(self, module: str, tree: "cst.Module", text: str) -> None:
        """Summarise a module already parsed by the linter, instead of parsing it again."""
        if module in self.paths and module not in self._summaries:
            self._summaries[module] = summarise(tree, text, module, module in self.packages, self.relative_path(self.paths[module]))

    def _summarise_path(self, module: str) -> ModuleSummary | None:
        path = self.paths.get(module)
        if path is None:
            return None
        try:
            source = read_source(path)
        except SourceError:
            return None
        digest = content_hash(source.raw)
        self._hashes[module] = digest
        stored = self.stored_summaries.get(str(path))
        if stored is not None and stored[0] == digest:
            return stored[1]
        summary = summarise_text(source.text, module, module in self.packages, self.relative_path(path))
        if summary is None:
            return None
        self.new_summaries[str(path)] = (digest, summary)
        return summary

    # -- symbols -------------------------------------------------------------

    def lookup(self, qualname: str | None) -> Symbol | None:
        """Where ``qualname`` is defined in the project, through imports and aliases."""
        seen: set[str] = set()
        while qualname is not None and qualname not in seen and len(seen) < _MAX_FOLLOW:
            seen.add(qualname)
            split = self.split(qualname)
            if split is None:
                return None
            module_name, rest = split
            module = self.summary(module_name)
            if module is None:
                return None
            if not rest:
                return Symbol("module", module, module_name)
            head, tail = rest[0], rest[1:]
            if head in module.functions and not tail:
                return Symbol("function", module, f"{module_name}.{head}", function=module.functions[head])
            if head in module.classes:
                cls = module.classes[head]
                if not tail:
                    return Symbol("class", module, f"{module_name}.{head}", cls=cls)
                method = module.functions.get(f"{head}.{tail[0]}")
                if method is not None and len(tail) == 1:
                    return Symbol("function", module, f"{module_name}.{head}.{tail[0]}", function=method)
                return None
            if head in module.assigns:
                assign = module.assigns[head]
                if assign.alias is not None:
                    qualname = ".".join([assign.alias, *tail])
                    continue
                if not tail:
                    return Symbol("assign", module, f"{module_name}.{head}", assign=assign)
                return None
            if head in module.imports:
                qualname = ".".join([module.imports[head], *tail])
                continue
            # ``import pkg.sub`` inside pkg/__init__ or a submodule not imported explicitly.
            submodule = f"{module_name}.{head}"
            if submodule in self.paths:
                qualname = ".".join([submodule, *tail])
                continue
            return None
        return None

    def canonical(self, qualname: str | None) -> str | None:
        """The qualified name of the definition ``qualname`` refers to, or itself
        when it is not defined in the project (``sqlalchemy.orm.Session``)."""
        if qualname is None:
            return None
        seen: set[str] = set()
        while qualname not in seen and len(seen) < _MAX_FOLLOW:
            seen.add(qualname)
            symbol = self.lookup(qualname)
            if symbol is not None:
                return symbol.qualname
            split = self.split(qualname)
            if split is None:
                return qualname
            module_name, rest = split
            module = self.summary(module_name)
            if module is None or not rest:
                return qualname
            target = module.imports.get(rest[0])
            if target is None:
                alias = module.assigns.get(rest[0])
                target = alias.alias if alias is not None else None
            if target is None:
                return qualname
            qualname = ".".join([target, *rest[1:]])
        return qualname

    def is_subclass(self, qualname: str | None, bases: frozenset[str], _depth: int = 0) -> bool:
        """Whether the class ``qualname`` derives from one of ``bases`` (qualified names)."""
        if qualname is None or _depth > _MAX_FOLLOW:
            return False
        if qualname in bases:
            return True
        symbol = self.lookup(qualname)
        if symbol is None:
            return self.canonical(qualname) in bases
        if symbol.cls is None:
            return False
        return any(self.is_subclass(base, bases, _depth + 1) for base in symbol.cls.bases)

    def all_modules(self) -> Iterable[str]:
        return self.paths.keys()


# -- summarising one module ----------------------------------------------------------


def summarise_text(text: str, module: str, is_package: bool, path: str) -> ModuleSummary | None:
    """A module's summary from its text: from CPython's ``ast`` (several times cheaper,
    and no LibCST), or from LibCST when CPython cannot parse it; None when neither can."""
    from fastapi_lint.linter.ast_summary import summarise_source

    summary = summarise_source(text, module, is_package, path)
    if summary is not None:
        return summary
    tree = parse_module(text)
    if isinstance(tree, SyntaxProblem):
        return None
    return summarise(tree, text, module, is_package, path)


def summarise(tree: "cst.Module", text: str, module: str, is_package: bool, path: str) -> ModuleSummary:
    from fastapi_lint.linter.summary import SummaryCollector

    return SummaryCollector(tree, text, module, is_package).collect(path)
