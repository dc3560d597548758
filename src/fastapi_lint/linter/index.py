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
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Literal, Mapping, TypeVar

from fastapi_lint.linter import observe
from fastapi_lint.linter.source import SourceError, SourceFile, SyntaxProblem, parse_module, read_bytes, read_source

if TYPE_CHECKING:
    import libcst as cst

    from fastapi_lint.linter.ast_summary import CallCensus
    from fastapi_lint.linter.cache import SummaryStore

PROJECT_MARKERS = ("pyproject.toml",)
_MAX_FOLLOW = 12
_T = TypeVar("_T")

# Keys of a Recorder's dependencies that are not paths (a path never starts with "//").
# A scan of every module for words: the modules that mention one of them.
SCAN_PREFIX = "//scan "
# The names, paths and contents of every module, as the scans read them: while it is
# unchanged, every scan finds the same modules (a shortcut for checking the scans).
CONTENTS_KEY = "//contents"
# The parts of the project's module names, and their first parts.
HEADS_KEY = "//heads"
ROOTS_KEY = "//roots"
# A file outside the modules that a rule read, absent when it was recorded.
MISSING = "-"
# Whether a name is a package ("1"/"0"), whether a path exists ("1"/"0").
PACKAGE_PREFIX = "//package "
EXISTS_PREFIX = "//exists "
# Parts of a module's summary that rules read, instead of the whole module: "//summary
# <path>" -> the content hash the summary was made from; "//symbol <path>\0<part>\0<key>"
# -> a hash of what ``summary.<part>[key]`` held (SYMBOL_ABSENT when absent; the key
# SYMBOL_ALL, which no name can be: the whole part, iterated). An edit that leaves those
# untouched (a function added elsewhere in the module) changes nothing that depends on
# them. The engine stores a module's symbols in its "//summary" entry (``engine._folded``).
SUMMARY_PREFIX = "//summary "
SYMBOL_PREFIX = "//symbol "
SYMBOL_ALL = "<all>"
SYMBOL_ABSENT = "-"
# Whether a module's text holds one of some words: "//mention <path>\0<word>\0..." ->
# "<content hash>:<1 or 0>".
MENTION_PREFIX = "//mention "
# The parts of a summary a rule can read by key.
SUMMARY_PARTS = ("imports", "functions", "classes", "assigns")


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

    def update(self, other: "Recorder") -> None:
        self.dependencies.update(other.dependencies)
        self.lookups.update(other.lookups)


def content_hash(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def modules_digest(paths: "dict[str, Path]", digest_of: "Callable[[str, Path], str | None]") -> str:
    """A hash of every module's name, path and content hash (``digest_of``; None: unreadable)."""
    lines = [f"{name}\t{path}\t{digest_of(name, path) or ''}" for name, path in sorted(paths.items())]
    return content_hash("\n".join(lines).encode("utf-8"))


def value_digest(value: object) -> str:
    """A hash of a summary's part (its ``repr``: the records are frozen dataclasses of
    strings, numbers, tuples and literal values)."""
    return hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


class _RecordedPart(Mapping[str, object]):
    """One part of a module's summary (``imports``, ``functions``...) as rules see it while
    the cache records what they consult: each key asked for is recorded with a hash of
    its value, and iterating (or sizing) records the whole part. Read-only."""

    __slots__ = ("_index", "_module", "_part", "_values")

    def __init__(self, index: "ProjectIndex", module: str, part: str, values: "dict[str, object]") -> None:
        self._index = index
        self._module = module
        self._part = part
        self._values = values

    def _asked(self, key: object) -> None:
        self._index._record_symbol(self._module, self._part, key if isinstance(key, str) else SYMBOL_ALL)

    def __getitem__(self, key: str) -> object:
        self._asked(key)
        return self._values[key]

    def get(self, key: str, default: object = None) -> object:
        self._asked(key)
        return self._values.get(key, default)

    def __contains__(self, key: object) -> bool:
        self._asked(key)
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        self._asked(None)
        return iter(self._values)

    def __len__(self) -> int:
        self._asked(None)
        return len(self._values)

    def keys(self):  # type: ignore[no-untyped-def]
        self._asked(None)
        return self._values.keys()

    def values(self):  # type: ignore[no-untyped-def]
        self._asked(None)
        return self._values.values()

    def items(self):  # type: ignore[no-untyped-def]
        self._asked(None)
        return self._values.items()

    def __repr__(self) -> str:
        self._asked(None)
        return repr(self._values)


class WordMemo:
    """Which of some words each module content (by hash) holds, kept across runs: a search
    of every module for a word reads only the modules whose content it has not seen.

    For every word in ``found`` and every hash in ``tested``, the hash is in
    ``found[word]`` exactly when that content holds the word."""

    def __init__(self, tested: Iterable[str] = (), found: "Mapping[str, Iterable[str]] | None" = None) -> None:
        self.tested: set[str] = set(tested)
        self.found: dict[str, set[str]] = {word: set(digests) & self.tested for word, digests in (found or {}).items()}
        # Words used in this run (the others may be dropped when the memo is stored).
        self.used: set[str] = set()
        self.changed = False

    def knows(self, word: str) -> bool:
        return word in self.found

    def add_content(self, digest: str, text: str) -> None:
        """Test every known word on a content not seen yet."""
        if digest in self.tested:
            return
        self.tested.add(digest)
        self.changed = True
        for word, digests in self.found.items():
            if word in text:
                digests.add(digest)

    def merge(self, other: "WordMemo") -> None:
        """What another process's memo (a forked worker's) learnt: the words of both, for
        the contents both can answer every word for (a memo without words constrains nothing)."""
        if not other.found:
            return
        if not self.found:
            self.tested = set(other.tested)
            self.found = {word: set(digests) for word, digests in other.found.items()}
        else:
            self.tested &= other.tested
            for word, digests in other.found.items():
                self.found.setdefault(word, set()).update(digests)
            for digests in self.found.values():
                digests &= self.tested
        self.used |= other.used
        self.changed = True

    def learn(self, word: str, contents: "list[tuple[str, str]]", positives: set[str]) -> None:
        """A word tested on every content of a project (hash, text), ``positives`` the
        hashes of those holding it: the memo keeps the contents it can answer every word for."""
        if word in self.found:
            return
        current = {digest for digest, _ in contents}
        for digest, text in contents:
            self.add_content(digest, text)
        self.tested &= current
        for digests in self.found.values():
            digests &= self.tested
        self.found[word] = positives & self.tested
        self.changed = True


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


def find_project_root(start: Path, memo: "dict[str, object] | None" = None) -> Path:
    """The nearest directory at or above ``start`` holding a ``pyproject.toml``;
    otherwise the directory above the outermost package containing ``start``.

    The search follows the path as written: a file reached through a symbolic link
    belongs to the project the link is in (and a broken link or a link loop still
    has one). The directory returned is resolved. ``memo`` keeps what the file system
    said across calls (one run asks for every folder of a project)."""
    known: dict[str, object] = memo if memo is not None else {}

    def is_file(path: str) -> bool:
        found = known.get(path)
        if found is None:
            found = known[path] = observe.is_file(path)
        return found  # type: ignore[return-value]

    def resolved(path: str) -> Path:
        key = "resolved\x00" + path
        found = known.get(key)
        if found is None:
            found = known[key] = Path(path).resolve()
        return found  # type: ignore[return-value]

    start_text = os.path.abspath(start)
    directory = start_text if os.path.isdir(start_text) else os.path.dirname(start_text)
    candidate = directory
    while True:
        if any(is_file(os.path.join(candidate, marker)) for marker in PROJECT_MARKERS):
            return resolved(candidate)
        parent = os.path.dirname(candidate)
        if parent == candidate:
            break
        candidate = parent
    while is_file(os.path.join(directory, "__init__.py")) and os.path.dirname(directory) != directory:
        directory = os.path.dirname(directory)
    return resolved(directory)


def _suffix(name: str) -> str:
    """``PurePath.suffix`` of a file name."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def module_names(path: Path, root: Path, packages: dict[str, bool] | None = None) -> tuple[str, bool]:
    """The dotted name of ``path`` in the project, and whether it is a package
    (``packages`` remembers which folders hold an ``__init__.py``, across calls)."""
    return _module_names(str(path), str(root), packages if packages is not None else {})


def _module_names(
    path: str, root: str, known: dict[str, bool], chains: "dict[str, tuple[str, ...]] | None" = None
) -> tuple[str, bool]:
    # String operations: this runs for every module of the project on every run.
    def is_package_folder(directory: str) -> bool:
        found = known.get(directory)
        if found is None:
            found = known[directory] = observe.is_file(os.path.join(directory, "__init__.py"))
        return found

    def chain(directory: str) -> tuple[str, ...]:
        """The names of the packages from the outermost one down to ``directory``
        (``chains`` remembers them by folder, across calls)."""
        found = chains.get(directory) if chains is not None else None
        if found is None:
            found = ()
            if is_package_folder(directory) and directory != root:
                parent, name = os.path.split(directory)
                found = (*chain(parent), name) if parent != directory else (name,)
            if chains is not None:
                chains[directory] = found
        return found

    directory, filename = os.path.split(path)
    suffix = _suffix(filename)
    stem = filename[: len(filename) - len(suffix)]
    is_package = stem == "__init__"
    if is_package_folder(directory):
        # Inside a package: the name runs from the outermost package.
        parts = chain(directory) if is_package else (*chain(directory), stem)
        return ".".join(parts), is_package
    prefix = root if root.endswith(os.sep) else root + os.sep
    if not path.startswith(prefix):
        return stem, is_package
    parts = path[len(prefix) :].split(os.sep)
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    parts[-1] = stem
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


class _RecordedPaths(dict):  # type: ignore[type-arg]
    """The project's modules by name; a rule asking whether a name is one (``in``, ``get``,
    ``[]``) has the answer recorded for the cache."""

    def __init__(self, index: "ProjectIndex", paths: "dict[str, Path]") -> None:
        super().__init__(paths)
        self._index = index

    def __contains__(self, name: object) -> bool:
        self._index._record_name(name)
        return dict.__contains__(self, name)

    def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
        self._index._record_name(name)
        return dict.get(self, name, default)

    def __getitem__(self, name: str) -> Path:
        self._index._record_name(name)
        return dict.__getitem__(self, name)  # type: ignore[no-any-return]


class _RecordedPackages(set):  # type: ignore[type-arg]
    """The names of the project's packages; a rule asking whether a name is one has the
    answer recorded for the cache."""

    def __init__(self, index: "ProjectIndex", packages: "set[str]") -> None:
        super().__init__(packages)
        self._index = index

    def __contains__(self, name: object) -> bool:
        self._index._record_package(name)
        return set.__contains__(self, name)


class ProjectIndex:
    """All modules of one project, summarised lazily."""

    def __init__(self, root: Path, files: Iterable[Path]) -> None:
        self.root = root
        paths: dict[str, Path] = {}
        packages: set[str] = set()
        self.names_by_path: dict[Path, str] = {}
        package_folders: dict[str, bool] = {}
        chains: dict[str, tuple[str, ...]] = {}
        root_text = str(root)
        named: set[str] = set()
        for path in sorted(files):
            text = str(path)
            suffix = _suffix(os.path.basename(text))
            if suffix != ".py" and text[: len(text) - len(suffix)] + ".py" in named:
                continue
            name, is_package = _module_names(text, root_text, package_folders, chains)
            if not name:
                continue
            paths.setdefault(name, path)
            self.names_by_path[path] = name
            named.add(text)
            if is_package:
                packages.add(name)
        # What the rules ask of them is recorded for the cache; the index's own bookkeeping
        # reads the plain ones.
        self._paths = paths
        self._packages = packages
        self.paths: dict[str, Path] = _RecordedPaths(self, paths)
        self.packages: set[str] = _RecordedPackages(self, packages)
        self._summaries: dict[str, ModuleSummary | None] = {}
        self._hashes: dict[str, str] = {}
        self._texts: dict[str, str] = {}
        # The hash of the bytes each text was decoded from (what the word memo is keyed by).
        self._text_digests: dict[str, str] = {}
        self._sources: dict[str, "SourceFile | None"] = {}
        self._trees: dict[str, "cst.Module | None"] = {}
        self._suffixes: dict[str, str | None] | None = None
        self._signature: str | None = None
        self._scans: dict[tuple[str, ...], tuple[list[str], str]] = {}
        self._words: dict[str, dict[str, None]] = {}
        self._all_texts: list[tuple[str, str]] | None = None
        self._contents: str | None = None
        self._heads: tuple[frozenset[str], str] | None = None
        self._roots: tuple[frozenset[str], str] | None = None
        self._memo: dict[object, tuple[object, Recorder]] = {}
        # What the rules linting one file consult, for the cache (set by the engine).
        self.recorder: Recorder | None = None
        # Whether fixes that must read the whole project are worth planning in this run:
        # only when fixing, previewing, or reporting fixes as data (set by the engine).
        self.plan_project_fixes = True
        # Whether the edits of fixes are wanted (set by the engine): a run that neither
        # fixes, previews nor reports fixes as data prints only whether each finding has a
        # fix, its applicability and its message, so rules may leave the edits out.
        self.fix_edits = True
        # Summaries from the persistent cache (a ``cache.SummaryStore``), and those made now
        # (path -> (content hash, summary)).
        self.summary_store: "SummaryStore | None" = None
        self.new_summaries: dict[str, tuple[str, ModuleSummary]] = {}
        # The call census of each module summarised from CPython's ``ast`` in this run, by
        # name and content hash: the linter then needs no second parse to judge the module.
        self._censuses: dict[tuple[str, str], "CallCensus"] = {}
        # The content hash of a module file as the engine read it (None: unreadable), and
        # which words contents hold, across runs (both set by the engine when caching).
        self.digest_of: "Callable[[Path], str | None] | None" = None
        self.word_memo: WordMemo | None = None
        # Summaries as rules see them while recording (see ``_RecordedPart``), and the
        # hashes of the parts they asked for.
        self._views: dict[str, ModuleSummary] = {}
        self._module_digests: list[tuple[str, str | None]] | None = None
        self._part_digests: dict[tuple[str, str, str], str] = {}

    # -- modules -------------------------------------------------------------

    def module_name(self, path: Path) -> tuple[str, bool]:
        name = self.names_by_path.get(path)
        if name is not None:
            return name, name in self._packages
        return module_names(path, self.root)

    def signature(self) -> str:
        """A hash of the project's module names: while it is unchanged, every name resolves as before."""
        if self._signature is None:
            names = "\n".join(sorted(self._paths))
            self._signature = content_hash(names.encode("utf-8"))
        return self._signature

    def relative_path(self, path: Path) -> str:
        # The common case with string operations (a run asks for every module's).
        text, root = str(path), str(self.root)
        prefix = root if root.endswith(os.sep) else root + os.sep
        if len(text) > len(prefix) and text.startswith(prefix) and path.is_absolute():
            return text[len(prefix) :].replace(os.sep, "/")
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def find_module(self, dotted: str) -> str | None:
        """The project module of that name; an unknown source root is tolerated
        (``app.core`` matches ``backend/app/core.py`` when it is the only match)."""
        found = self._find(dotted)
        if self.recorder is not None:
            self.recorder.lookups[dotted] = found
        return found

    def _find(self, dotted: str) -> str | None:
        return dotted if dotted in self._paths else self._by_suffix().get(dotted)

    def _record_name(self, name: object) -> None:
        """A rule asked whether ``name`` is a module: recorded as a lookup (whether it is
        one follows from what ``find_module`` finds)."""
        if self.recorder is not None and isinstance(name, str):
            self.recorder.lookups[name] = self._find(name)

    def _record_package(self, name: object) -> None:
        if self.recorder is not None and isinstance(name, str):
            self.recorder.dependencies[PACKAGE_PREFIX + name] = "1" if name in self._packages else "0"

    def exists(self, path: Path) -> bool:
        """Whether ``path`` exists (recorded for the cache: a fix may depend on it)."""
        found = observe.exists(path)
        if self.recorder is not None:
            self.recorder.dependencies[EXISTS_PREFIX + str(path)] = "1" if found else "0"
        return found

    def _by_suffix(self) -> dict[str, str | None]:
        """Each proper dotted suffix of a module name -> that module (None when several share it)."""
        if self._suffixes is None:
            suffixes: dict[str, str | None] = {}
            for name in self._paths:
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
        parsing a module that cannot hold what a rule looks for (recorded as the answer,
        not as the whole text)."""
        found = any(word in self._text(module) for word in words)
        if self.recorder is not None and module in self._paths:
            key = MENTION_PREFIX + "\x00".join([str(self._paths[module]), *words])
            digest = self._text_digests.get(module) or self._digest(module) or MISSING
            self.recorder.dependencies[key] = f"{digest}:{int(found)}"
        return found

    def mention_now(self, key: str) -> bool | None:
        """What a ``mentions`` recorded under ``key`` finds now (None: the module is gone)."""
        path, *words = key[len(MENTION_PREFIX) :].split("\x00")
        module = self.names_by_path.get(Path(path))
        if module is None or self._paths.get(module) != Path(path):
            return None
        return any(word in self._text(module) for word in words)

    def _text(self, module: str) -> str:
        text = self._texts.get(module)
        if text is None:
            path = self._paths.get(module)
            text = ""
            if path is not None:
                try:
                    source = read_source(path)
                    text = source.text
                    self._text_digests[module] = digest = content_hash(source.raw)
                    self._hashes.setdefault(module, digest)
                except SourceError:
                    pass
            self._texts[module] = text
        return text

    def modules_mentioning(self, words: tuple[str, ...]) -> list[str]:
        """The project's modules (in ``all_modules`` order) whose text contains one of
        ``words``. Recorded for the cache as the list found, not as every module read: an
        edit elsewhere that leaves the list as it was changes nothing that depends on it."""
        words = tuple(words)
        found = self._scan(words)
        if self.recorder is not None:
            self.recorder.dependencies[SCAN_PREFIX + "\x00".join(words)] = found[1]
            self.recorder.dependencies[CONTENTS_KEY] = self.contents_digest()
        return list(found[0])

    def _scan(self, words: tuple[str, ...]) -> tuple[list[str], str]:
        found = self._scans.get(words)
        if found is None:
            if len(words) == 1:
                modules = list(self._mentioning(words[0]))
            else:
                matched = set().union(*(self._mentioning(word) for word in words))
                modules = [module for module in self._paths if module in matched]
            listed = "\n".join(f"{module}\t{self._paths[module]}" for module in modules)
            found = self._scans[words] = (modules, content_hash(listed.encode("utf-8")))
        return found

    def _mentioning(self, word: str) -> dict[str, None]:
        """The modules whose text contains ``word``, in ``all_modules`` order (one pass per
        word; with the engine's memo, only contents it has not seen are read)."""
        found = self._words.get(word)
        if found is None:
            memo = self.word_memo
            if memo is not None:
                memo.used.add(word)
            if memo is not None and memo.knows(word) and self.digest_of is not None:
                found = self._mentioning_from(memo, word)
            else:
                if self._all_texts is None:
                    self._all_texts = [(module, self._text(module)) for module in self._paths]
                found = dict.fromkeys(module for module, text in self._all_texts if word in text)
                if memo is not None and self.digest_of is not None:
                    digests = self._text_digests
                    positives = {digests[module] for module in found if module in digests}
                    memo.learn(word, self._all_contents(), positives)
            self._words[word] = found
        return found

    def _mentioning_from(self, memo: WordMemo, word: str) -> dict[str, None]:
        positives = memo.found[word]
        found: dict[str, None] = {}
        if self._module_digests is None:
            self._module_digests = [(module, self._digest(module)) for module in self._paths]
        for module, digest in self._module_digests:
            if digest is None:
                continue  # unreadable: no text, so no word
            if digest in memo.tested:
                if digest in positives:
                    found[module] = None
                continue
            # A content not seen yet: read, and every known word tested on it.
            text = self._text(module)
            read = self._text_digests.get(module)
            if read is not None:
                memo.add_content(read, text)
            if word in text:
                found[module] = None
        return found

    def _all_contents(self) -> list[tuple[str, str]]:
        """(content hash, text) of every module read whole (after a full pass)."""
        contents = []
        for module, text in self._all_texts or ():
            digest = self._text_digests.get(module)
            if digest is not None:
                contents.append((digest, text))
        return contents

    def _digest(self, module: str) -> str | None:
        """The content hash of a module: as read here, else as the engine read it."""
        digest = self._hashes.get(module)
        if digest is None and self.digest_of is not None:
            digest = self.digest_of(self._paths[module])
        return digest

    def scan_digest(self, key: str) -> str | None:
        """What a scan recorded under ``key`` (a dependency) finds now; None for a key that is not one."""
        if not key.startswith(SCAN_PREFIX):
            return None
        return self._scan(tuple(key[len(SCAN_PREFIX) :].split("\x00")))[1]

    def contents_digest(self) -> str:
        """A hash of every module's name, path and content hash (as this index, or else
        the engine, read them)."""
        if self._contents is None:
            if self.digest_of is None:
                for module in self._paths:
                    self._text(module)
            self._contents = modules_digest(self._paths, lambda module, path: self._digest(module))
        return self._contents

    def module_heads(self) -> frozenset[str]:
        """Every part of the project's module names (recorded for the cache)."""
        if self._heads is None:
            heads = frozenset(part for name in self._paths for part in name.split("."))
            self._heads = heads, content_hash("\n".join(sorted(heads)).encode("utf-8"))
        if self.recorder is not None:
            self.recorder.dependencies[HEADS_KEY] = self._heads[1]
        return self._heads[0]

    def module_roots(self) -> frozenset[str]:
        """The first part of every module name of the project (recorded for the cache)."""
        if self._roots is None:
            roots = frozenset(name.split(".", 1)[0] for name in self._paths)
            self._roots = roots, content_hash("\n".join(sorted(roots)).encode("utf-8"))
        if self.recorder is not None:
            self.recorder.dependencies[ROOTS_KEY] = self._roots[1]
        return self._roots[0]

    def index_digest(self, key: str) -> str | None:
        """The current value of a dependency on the module names (``HEADS_KEY``, ``ROOTS_KEY``)."""
        recorder, self.recorder = self.recorder, None
        try:
            if key.startswith(PACKAGE_PREFIX):
                return "1" if key[len(PACKAGE_PREFIX) :] in self._packages else "0"
            if key.startswith(EXISTS_PREFIX):
                return "1" if os.path.exists(key[len(EXISTS_PREFIX) :]) else "0"
            if key == HEADS_KEY:
                self.module_heads()
                return self._heads[1] if self._heads is not None else None
            if key == ROOTS_KEY:
                self.module_roots()
                return self._roots[1] if self._roots is not None else None
            return None
        finally:
            self.recorder = recorder

    def record_file(self, path: Path) -> None:
        """Record a file outside the modules that a rule reads (or finds absent)."""
        if self.recorder is None:
            return
        try:
            digest = content_hash(read_bytes(path))
        except OSError:
            digest = MISSING
        self.recorder.dependencies[str(path)] = digest

    def remember(self, key: object, compute: Callable[[], _T]) -> _T:
        """``compute()`` once per run for the whole project; each file that asks again has
        what the first computation consulted recorded as its own (its findings depend on it)."""
        found = self._memo.get(key)
        if found is None:
            outer = self.recorder
            inner = self.recorder = Recorder()
            try:
                value = compute()
            except BaseException:
                if outer is not None:
                    outer.update(inner)
                raise
            finally:
                self.recorder = outer
            found = self._memo[key] = (value, inner)
        if self.recorder is not None:
            self.recorder.update(found[1])
        return found[0]  # type: ignore[return-value]

    def source(self, module: str) -> SourceFile | None:
        """The text of a project module, for fixes that edit it (recorded as a dependency)."""
        if module not in self._sources:
            path = self._paths.get(module)
            found: SourceFile | None = None
            if path is not None:
                try:
                    found = read_source(path)
                    self._hashes.setdefault(module, content_hash(found.raw))
                except SourceError:
                    found = None
            self._sources[module] = found
        self._record_text(module)
        return self._sources[module]

    def _record_text(self, module: str) -> None:
        """A rule read the module's text: any change of the file may change its findings."""
        if self.recorder is not None and module in self._paths:
            self.recorder.dependencies[str(self._paths[module])] = self._digest(module) or MISSING

    def tree(self, module: str) -> "cst.Module | None":
        """A project module parsed (once per run), for fixes that edit it; None when it
        cannot be read or parsed."""
        if module not in self._trees:
            source = self.source(module)
            parsed = parse_module(source.text) if source is not None else None
            self._trees[module] = None if parsed is None or isinstance(parsed, SyntaxProblem) else parsed
        else:
            self._record_text(module)
        return self._trees[module]

    def summary(self, module: str) -> ModuleSummary | None:
        """The module's summary; while the cache records, a view of it that records the
        parts rules read (not the whole module: see ``SUMMARY_PREFIX``)."""
        if module not in self._summaries:
            self._summaries[module] = self._summarise_path(module)
        found = self._summaries[module]
        recorder = self.recorder
        if recorder is None:
            return found
        path = str(self._paths[module])
        if found is None:
            # Unreadable or unparsable: any change of the file may change that.
            recorder.dependencies[path] = self._digest(module) or MISSING
            return None
        recorder.dependencies[SUMMARY_PREFIX + path] = self._digest(module) or MISSING
        view = self._views.get(module)
        if view is None:
            parts = (_RecordedPart(self, module, part, getattr(found, part)) for part in SUMMARY_PARTS)
            view = self._views[module] = ModuleSummary(found.name, found.path, found.is_package, *parts)  # type: ignore[arg-type]
        return view

    def _record_symbol(self, module: str, part: str, key: str) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        path = str(self._paths[module])
        recorder.dependencies[SUMMARY_PREFIX + path] = self._digest(module) or MISSING
        name = f"{SYMBOL_PREFIX}{path}\x00{part}\x00{key}"
        if name not in recorder.dependencies:
            recorder.dependencies[name] = self._part_digest(module, part, key)

    def _part_digest(self, module: str, part: str, key: str) -> str:
        """A hash of ``summary.<part>[key]`` of the module's summary in this run."""
        found = self._part_digests.get((module, part, key))
        if found is None:
            summary = self._summaries.get(module)
            values = getattr(summary, part) if summary is not None else {}
            if key == SYMBOL_ALL:
                found = value_digest(list(values.items()))
            else:
                found = value_digest(values[key]) if key in values else SYMBOL_ABSENT
            self._part_digests[(module, part, key)] = found
        return found

    def summary_now(self, path: str) -> ModuleSummary | None:
        """The summary of the module at ``path`` as it is now (None: gone or unparsable)."""
        module = self.names_by_path.get(Path(path))
        if module is None or self._paths.get(module) != Path(path):
            return None
        recorder, self.recorder = self.recorder, None
        try:
            return self.summary(module)
        finally:
            self.recorder = recorder

    def symbol_now(self, path: str, part: str, key: str) -> str | None:
        """What ``_record_symbol`` would record now for that part of the module at ``path``."""
        if self.summary_now(path) is None:
            return None
        return self._part_digest(self.names_by_path[Path(path)], part, key)

    def add_tree(self, module: str, tree: "cst.Module", text: str) -> None:
        """Summarise a module already parsed by the linter, instead of parsing it again."""
        if module in self._paths and module not in self._summaries:
            self._summaries[module] = summarise(tree, text, module, module in self._packages, self.relative_path(self._paths[module]))

    def add_summary(self, module: str, summary: ModuleSummary, digest: str) -> None:
        """Keep a summary the linter made of a module (of content hash ``digest``) while
        linting it, as if the index had made it."""
        path = self._paths.get(module)
        if path is None or module in self._summaries:
            return
        self._summaries[module] = summary
        self._hashes.setdefault(module, digest)
        self.new_summaries[str(path)] = (digest, summary)

    def _summarise_path(self, module: str) -> ModuleSummary | None:
        path = self._paths.get(module)
        if path is None:
            return None
        try:
            source = read_source(path)
        except SourceError:
            return None
        digest = content_hash(source.raw)
        self._hashes[module] = digest
        is_package, shown = module in self._packages, self.relative_path(path)
        if self.summary_store is not None:
            stored = self.summary_store.load(digest, module, is_package, shown)
            if stored is not None:
                return stored
        from fastapi_lint.linter.ast_summary import survey_source

        surveyed = survey_source(source.text, module, is_package, shown)
        if surveyed is not None:
            summary: ModuleSummary | None = surveyed[0]
            self._censuses[module, digest] = surveyed[1]
        else:
            summary = summarise_text(source.text, module, is_package, shown)
        if summary is None:
            return None
        self.new_summaries[str(path)] = (digest, summary)
        return summary

    def census(self, module: str, digest: str) -> "CallCensus | None":
        """The call census of the module with that content, when this run summarised it."""
        return self._censuses.get((module, digest))

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
