"""A whole run: find the files, index each project, lint, fix. Knows nothing of the CLI."""

from __future__ import annotations

import fnmatch
import gc
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

from fastapi_lint.linter import observe
from fastapi_lint.linter.observe import CACHE_DIRECTORY
from fastapi_lint.linter.config import Settings, matching_codes, select_codes
from fastapi_lint.linter.diagnostics import Diagnostic, FileError, Fix, InternalError
from fastapi_lint.linter.discovery import DEFAULT_EXCLUDE, Excluder, iter_python_files, without_nested_projects
from fastapi_lint.linter.fixes import (
    MAX_FIX_PASSES,
    WriteError,
    apply_fixes,
    fixes_for,
    local_fixes_for,
    multi_file_fixes_for,
    write_atomically,
)
from fastapi_lint.linter.multi_fix import apply_multi_file_fixes, diff_texts, touched_paths
from fastapi_lint.linter.cache import (
    PRUNE_SLACK,
    CacheData,
    FileEntry,
    cache_file,
    project_findings,
    project_findings_json,
    settings_key,
)
from fastapi_lint.linter.cache import load as load_cache
from fastapi_lint.linter.cache import save as save_cache
from fastapi_lint.linter.index import (
    CONTENTS_KEY,
    HEADS_KEY,
    PACKAGE_PREFIX,
    ROOTS_KEY,
    MENTION_PREFIX,
    MISSING,
    SCAN_PREFIX,
    SUMMARY_PREFIX,
    SYMBOL_PREFIX,
    ModuleSummary,
    WordMemo,
    ProjectIndex,
    Recorder,
    content_hash,
    find_project_root,
    modules_digest,
)
from fastapi_lint.linter.noqa import UNUSED_NOQA_CODE, NoqaPolicy, add_noqa, file_silences
from fastapi_lint.linter.rule import ProjectFinding, ProjectRule, Rule
from fastapi_lint.linter.runner import SYNTAX_ERROR_CODE, ActiveRule, FileResult, lint_file
from fastapi_lint.linter.source import (
    SourceError,
    SourceFile,
    SyntaxProblem,
    decode_source,
    parse_module,
    read_bytes,
    read_hashed,
    read_source,
)
from fastapi_lint.rules import ALL_RULES


def all_codes() -> list[str]:
    return [SYNTAX_ERROR_CODE, UNUSED_NOQA_CODE, *(rule.code for rule in ALL_RULES)]


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    internal_errors: list[InternalError] = field(default_factory=list)
    fixed: int = 0
    noqa_added: int = 0
    files_checked: int = 0
    # Unified diffs of the fixes, when asked for instead of writing.
    diffs: list[str] = field(default_factory=list)
    # The same by shown path, and how many fixes each file's findings got.
    diff_by_path: dict[str, str] = field(default_factory=dict)
    fixed_by_path: dict[str, int] = field(default_factory=dict)
    # Files that fixes moved (shown source -> shown target).
    moved: dict[str, str] = field(default_factory=dict)


@dataclass
class RunOptions:
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    force_exclude: bool = False
    add_noqa: bool = False
    # The persistent cache (the CLI turns it on); by default under the configuration's folder.
    use_cache: bool = False
    cache_dir: Path | None = None
    # Worker processes (None: one per CPU); used only when enough files need parsing.
    jobs: int | None = None
    # Whether the findings' fixes are shown as data (JSON, SARIF): then fixes that must
    # read the whole project are planned even when not fixing.
    fixes_as_data: bool = True


@dataclass
class FileOutcome:
    """What linting one file produced: small and picklable, so a worker process can send it."""

    path: Path
    shown: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    internal_errors: list[InternalError] = field(default_factory=list)
    fixed: int = 0
    diffs: dict[str, str] = field(default_factory=dict)
    # For the cache: the content linted, and what the rules consulted (None: not cacheable).
    content: str | None = None
    recorder: Recorder | None = None
    summaries: dict[str, tuple[str, ModuleSummary]] = field(default_factory=dict)


# Fewer files than this to parse are linted in this process: starting workers costs more.
POOL_THRESHOLD = 48
# Allocations between two collections of the youngest generation during a run.
_GC_THRESHOLD = 50_000


def display_path(path: Path, cwd: Path) -> str:
    # The common case with string operations (this runs for every file of a warm run).
    text, folder = str(path), str(cwd)
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    if text.startswith(prefix) and len(text) > len(prefix) and path.is_absolute() and cwd.is_absolute():
        return text[len(prefix) :].replace(os.sep, "/")
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


class Engine:
    def __init__(self, settings: Settings, options: RunOptions | None = None, cwd: Path | None = None) -> None:
        self.settings = settings
        self.options = options or RunOptions()
        self.cwd = (cwd or Path.cwd()).resolve()
        patterns = [*(settings.exclude if settings.exclude is not None else DEFAULT_EXCLUDE), *settings.extend_exclude]
        self.excluder = Excluder(settings.base_directory.resolve(), patterns, settings.respect_gitignore)
        self.selected = select_codes(all_codes(), settings.select, settings.extend_select, settings.ignore)
        self.file_rules = [rule for rule in ALL_RULES if issubclass(rule, Rule) and rule.code in self.selected]
        self.project_rules = [rule for rule in ALL_RULES if issubclass(rule, ProjectRule) and rule.code in self.selected]
        self._indexes: dict[Path, ProjectIndex] = {}
        self._project_cache: dict[tuple[str, Path], list[ProjectFinding]] = {}
        # Sources already read while checking the cache, handed to the linting of the file.
        self._sources: dict[Path, SourceFile] = {}
        self._hashes: dict[str, str | None] = {}
        self._contents: dict[Path, str] = {}
        self._store: CacheData | None = None
        self._roots: dict[str, Path] = {}
        # What find_project_root learnt of the file system in this run.
        self._file_system: dict[str, object] = {}
        self._projects_stored = False
        # The one directory linted, the Python files found below it, and the folders
        # holding a pyproject.toml among them.
        self._listing: tuple[Path, list[Path], set[Path]] | None = None

    # -- projects ----------------------------------------------------------------

    def index_for(self, path: Path) -> ProjectIndex:
        directory = os.path.dirname(path)
        root = self._roots.get(directory)
        if root is None:
            root = self._roots[directory] = find_project_root(path, self._file_system)
        index = self._indexes.get(root)
        if index is None:
            listing = self._listing
            if listing is not None and listing[0] == root and self.excluder.root == root:
                # The walk of the files to lint was a walk of this very project.
                files = without_nested_projects(listing[1], root, listing[2])
            else:
                excluder = Excluder(root, self.excluder.patterns, self.excluder.respect_gitignore)
                files = list(iter_python_files([root], excluder, skip_nested_projects=True))
            index = ProjectIndex(root, files)
            index.plan_project_fixes = self.options.fix or self.options.diff or self.options.fixes_as_data
            index.fix_edits = index.plan_project_fixes
            if self._store is not None:
                self._attach(index, self._store)
            self._indexes[root] = index
        return index

    def _rules_for(self, path: Path) -> list[ActiveRule]:
        ignored = self._per_file_ignored(path)
        return [
            ActiveRule(rule, {**rule.option_defaults(), **self.settings.rule_options.get(rule.code, {})})
            for rule in self.file_rules
            if rule.code not in ignored
        ]

    def _per_file_ignored(self, path: Path) -> set[str]:
        if not self.settings.per_file_ignores:
            return set()
        try:
            relative = path.relative_to(self.settings.base_directory.resolve()).as_posix()
        except ValueError:
            relative = path.as_posix()
        ignored: set[str] = set()
        for glob, selectors in self.settings.per_file_ignores.items():
            if fnmatch.fnmatchcase(relative, glob) or fnmatch.fnmatchcase(path.name, glob):
                for selector in selectors:
                    ignored.update(matching_codes(selector, all_codes()))
        return ignored

    # -- a run -------------------------------------------------------------------

    def run(self, paths: Sequence[Path]) -> RunResult:
        """Lint ``paths``; with fixes on, apply them (multi-file ones once every file is
        linted) and lint again until nothing more changes."""
        threshold = gc.get_threshold()
        # Parsing allocates millions of short-lived, acyclic objects (trees are freed by
        # reference counting): collecting every 700 allocations cost a fifth of a run.
        gc.set_threshold(max(threshold[0], _GC_THRESHOLD), *threshold[1:])
        try:
            return self._run(paths)
        finally:
            gc.set_threshold(*threshold)

    def _run(self, paths: Sequence[Path]) -> RunResult:
        result = self._run_once(paths)
        if not (self.options.fix or self.options.diff):
            return result
        fixed = result.fixed
        moved: dict[str, str] = {}
        for _ in range(MAX_FIX_PASSES):
            multi = multi_file_fixes_for(result.diagnostics, self.options.unsafe_fixes)
            if not multi:
                break
            if self.options.diff:
                return self._preview(paths, result)
            written = {shown for shown, count in result.fixed_by_path.items() if count}
            outcome = apply_multi_file_fixes(
                multi, self._resolve_shown, write=True, unchanged=lambda shown: shown not in written
            )
            if not outcome.fixed and not written:
                result.errors.extend(outcome.errors)
                break
            self._reset()
            paths = self._after_moves(paths, outcome.moved)
            moved = _composed(moved, outcome.moved)
            result = self._run_once(paths)
            result.errors.extend(outcome.errors)
            fixed += outcome.fixed + result.fixed
        result.fixed = fixed
        result.moved = moved
        return result

    def _preview(self, paths: Sequence[Path], result: RunResult) -> RunResult:
        """``--diff`` with fixes across files: the fix passes run on a scratch copy, so the
        diff shows exactly what ``--fix`` would write; when the run reads files outside
        the working directory, one pass is previewed instead."""
        from fastapi_lint.linter.preview import can_preview, preview

        if not can_preview(self, paths):
            return self._diff_multi_file(result)
        previewed = preview(self, paths, Engine)
        previewed.errors = [*result.errors, *(e for e in previewed.errors if e not in result.errors)]
        return previewed

    def _diff_multi_file(self, result: RunResult) -> RunResult:
        """``--diff``: multi-file fixes shown with the single-file fixes of the files they touch
        (one pass over the text as it is on disk)."""
        multi = multi_file_fixes_for(result.diagnostics, self.options.unsafe_fixes)
        touched = touched_paths(multi)
        companions = [
            d for d in fixes_for(result.diagnostics, self.options.unsafe_fixes) if d.path in touched and d not in multi
        ]
        outcome = apply_multi_file_fixes([*multi, *companions], self._resolve_shown, write=False)
        for shown in touched:
            result.fixed -= result.fixed_by_path.pop(shown, 0)
            result.diff_by_path.pop(shown, None)
        result.diff_by_path.update(outcome.diffs)
        result.fixed += outcome.fixed
        result.errors.extend(outcome.errors)
        result.diffs = [result.diff_by_path[shown] for shown in sorted(result.diff_by_path)]
        return result

    def _after_moves(self, paths: Sequence[Path], moved: dict[str, str]) -> list[Path]:
        """The paths to lint again: a file named on the command line that a fix moved is
        linted where it went."""
        if not moved:
            return list(paths)
        targets = {self._resolve_shown(source): self._resolve_shown(target) for source, target in moved.items()}
        return [targets.get(path if path.is_absolute() else self.cwd / path, path) for path in paths]

    def _resolve_shown(self, shown: str) -> Path:
        return self.cwd / shown

    def _reset(self) -> None:
        """Forget what was read: the files changed."""
        self._indexes.clear()
        self._project_cache.clear()
        self._sources.clear()
        self._hashes.clear()
        self._contents.clear()
        self._roots.clear()
        self._file_system.clear()
        self._listing = None
        self._store = None

    def _run_once(self, paths: Sequence[Path]) -> RunResult:
        result = RunResult()
        existing: list[Path] = []
        for path in paths:
            absolute = (self.cwd / path) if not path.is_absolute() else path
            if not observe.exists(absolute):
                result.errors.append(FileError(str(path), "no such file or directory"))
            else:
                existing.append(absolute.absolute())
        projects: set[Path] = set()
        files = sorted(iter_python_files(existing, self.excluder, self.options.force_exclude, projects=projects))
        if len(existing) == 1 and existing[0].is_dir():
            self._listing = (existing[0], files, projects)
        result.files_checked = len(files)
        # Every project's index is built here, before any worker starts: workers inherit
        # them, and the project rules (which run in this process) need them all.
        # In the order of the folders' paths (as pathlib orders them: part by part).
        for directory in sorted({os.path.dirname(path) for path in files}, key=lambda folder: folder.split(os.sep)):
            self.index_for(Path(directory, "__init__.py"))
        store = self._open_cache()
        pending = []
        for path in files:
            cached = self._cached_outcome(path, store) if store is not None else None
            if cached is None:
                pending.append(path)
            else:
                self._merge(cached, result, None)
        for outcome in self._lint_many(pending):
            self._merge(outcome, result, store)
        self._run_project_rules(existing, files, result)
        if self.options.add_noqa:
            self._add_noqa(result)
        if store is not None and (pending or self._projects_stored or store.words.changed):
            self._save_cache(store)
        result.diagnostics.sort(key=lambda diagnostic: diagnostic.sort_key)
        result.diffs = [result.diff_by_path[shown] for shown in sorted(result.diff_by_path)]
        return result

    def _merge(self, outcome: FileOutcome, result: RunResult, store: CacheData | None) -> None:
        result.diagnostics.extend(outcome.diagnostics)
        result.errors.extend(outcome.errors)
        result.internal_errors.extend(outcome.internal_errors)
        result.fixed += outcome.fixed
        if outcome.fixed:
            result.fixed_by_path[outcome.shown] = outcome.fixed
        result.diff_by_path.update(outcome.diffs)
        if store is None:
            return
        store.summaries.update(outcome.summaries)
        if outcome.content is not None and outcome.recorder is not None:
            recorder = outcome.recorder
            index = self.index_for(outcome.path)
            store.files[str(outcome.path)] = FileEntry(
                outcome.content,
                outcome.diagnostics,
                {
                    **_folded(recorder.dependencies, str(outcome.path)),
                    _SHOWN_KEY: outcome.shown,
                    _MODULES_KEY: index.signature(),
                    _NAME_KEY: _module_key(index, outcome.path),
                },
                recorder.lookups,
            )

    def _lint_many(self, paths: list[Path]) -> list[FileOutcome]:
        jobs = self.options.jobs or os.cpu_count() or 1
        if jobs > 1 and len(paths) >= POOL_THRESHOLD:
            # Imported here: a warm run starts no worker (multiprocessing costs ~15 ms to import).
            import multiprocessing

            if "fork" in multiprocessing.get_all_start_methods():
                return self._lint_in_workers(paths, jobs)
        return [self._lint_guarded(path) for path in paths]

    def _lint_guarded(self, path: Path, isolate: bool = False) -> FileOutcome:
        try:
            return self._lint_one(path, isolate)
        except Exception as error:  # a bug in the engine must not stop the run
            shown = display_path(path, self.cwd)
            outcome = FileOutcome(path, shown)
            outcome.internal_errors.append(InternalError(shown, "engine", f"{type(error).__name__}: {error}"))
            return outcome

    def _lint_in_workers(self, paths: list[Path], jobs: int) -> list[FileOutcome]:
        """Lint in forked worker processes (they inherit the rules and the project indexes).

        A worker that dies (LibCST's native parser can crash on pathological code) takes
        its batch with it: those files are then linted one by one in child processes, so
        that only the culprit is reported as an error.
        """
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        global _WORKER_ENGINE
        _WORKER_ENGINE = self
        size = max(1, min(64, len(paths) // (jobs * 4)))
        batches = [paths[start : start + size] for start in range(0, len(paths), size)]
        outcomes: list[FileOutcome] = []
        failed: list[list[Path]] = []
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = [(batch, pool.submit(_lint_batch, batch)) for batch in batches]
            for batch, future in futures:
                try:
                    linted, observed, memo = future.result()
                except BrokenProcessPool:
                    failed.append(batch)
                    continue
                outcomes.extend(linted)
                observe.extend(observed)
                if memo is not None and self._store is not None:
                    self._store.words.merge(memo)
        for batch in failed:
            outcomes.extend(self._lint_guarded(path, isolate=True) for path in batch)
        return outcomes

    def _lint_one(self, path: Path, isolate: bool = False) -> FileOutcome:
        index = self.index_for(path)
        shown = display_path(path, self.cwd)
        outcome = FileOutcome(path, shown)
        rules = self._rules_for(path)
        check_syntax = SYNTAX_ERROR_CODE in self.selected and SYNTAX_ERROR_CODE not in self._per_file_ignored(path)
        noqa = self._noqa_policy(path, index)
        source = self._sources.pop(path, None)
        # What the rules consult and the summaries they make matter only to the cache:
        # without it, nothing is recorded, nor sent back from a worker.
        caching = self.options.use_cache
        index.recorder = recorder = Recorder() if caching else None
        seen_summaries = set(index.new_summaries) if caching else set()
        try:
            file_result = lint_file(path, shown, rules, index, source=source, check_syntax=check_syntax, noqa=noqa, isolate=isolate)
        finally:
            index.recorder = None
        if caching:
            outcome.summaries = {key: value for key, value in index.new_summaries.items() if key not in seen_summaries}
        outcome.errors.extend(file_result.errors)
        outcome.internal_errors.extend(file_result.internal_errors)
        if (self.options.fix or self.options.diff) and file_result.source is not None:
            if local_fixes_for(file_result.diagnostics, self.options.unsafe_fixes):
                file_result = self._fix(path, shown, rules, index, file_result, outcome, noqa)
        outcome.diagnostics.extend(self._shown_edits(d) for d in file_result.diagnostics)
        cacheable = not (outcome.errors or outcome.internal_errors or outcome.fixed or outcome.diffs)
        if cacheable and recorder is not None and file_result.source is not None:
            outcome.content = content_hash(file_result.source.raw)
            outcome.recorder = recorder
        return outcome

    # -- the cache -------------------------------------------------------------------

    def cache_directory(self) -> Path:
        return (self.options.cache_dir or self.settings.base_directory / CACHE_DIRECTORY).resolve()

    def _cache_path(self) -> Path:
        directory = self.cache_directory()
        parts = {
            "selected": sorted(self.selected),
            "options": self.settings.rule_options,
            "per-file-ignores": self.settings.per_file_ignores,
            # Findings cached without their project-wide fixes are not reused where they are wanted.
            "project-fixes": self.options.fix or self.options.diff or self.options.fixes_as_data,
        }
        return cache_file(directory, settings_key(parts))

    def _open_cache(self) -> CacheData | None:
        if not self.options.use_cache:
            return None
        self._store = load_cache(self._cache_path())
        for index in self._indexes.values():
            self._attach(index, self._store)
        return self._store

    def _attach(self, index: ProjectIndex, store: CacheData) -> None:
        """Give the index what the cache knows: stored summaries, the word memo, and the
        content hashes this run reads (one read per file for the cache and the index)."""
        index.summary_store = store.summary_store
        index.word_memo = store.words
        index.digest_of = lambda path: self._hash_of(str(path))

    def _save_cache(self, store: CacheData) -> None:
        # Summaries made while checking the cache (of modules that changed) are kept too.
        for index in self._indexes.values():
            for key, value in index.new_summaries.items():
                store.summaries.setdefault(key, value)
        save_cache(self._cache_path(), store, {digest for digest in self._hashes.values() if digest is not None})
        if store.summaries and store.summary_store is not None:
            # New summaries were stored: those of no module as it is now go, once they
            # outnumber the live ones (a summary removed too early is only made again).
            # Only a run that hashed every module of its projects knows which are live.
            stored = store.summary_store.stored()
            # Every module of a project has its own live name: a store holding no more
            # files than a project's modules plus the slack cannot hold too many stale ones.
            largest = max((len(index._paths) for index in self._indexes.values()), default=0)
            if stored is None or len(stored) <= largest + PRUNE_SLACK:
                return
            live = set()
            for index in self._indexes.values():
                for name, path in index._paths.items():
                    digest = self._hashes.get(str(path))
                    if digest is None:
                        return
                    live.add(store.summary_store.name(digest, name, name in index._packages, index.relative_path(path)))
            store.summary_store.prune(live, stored=stored)

    def _hash_of(self, path: str) -> str | None:
        try:
            return self._hashes[path]
        except KeyError:
            pass
        try:
            digest: str | None = read_hashed(path)[1]
        except OSError:
            digest = None
        self._hashes[path] = digest
        return digest

    def _cached_outcome(self, path: Path, store: CacheData) -> FileOutcome | None:
        """The findings recorded for ``path``, when nothing they depend on has changed."""
        key = str(path)
        raw: bytes | None = None
        digest = self._hashes.get(key)
        if digest is None:
            try:
                raw, digest = read_hashed(path)  # not path.read_bytes(): a named pipe would block
            except OSError:
                return None
            self._hashes[key] = digest
        entry = store.files.get(key)
        fresh = entry is not None and entry.content == digest and self._still_valid(path, entry)
        if fresh and entry is not None and not (
            (self.options.fix or self.options.diff) and fixes_for(entry.diagnostics, self.options.unsafe_fixes)
        ):
            shown = display_path(path, self.cwd)
            recorded_shown = entry.dependencies.get(_SHOWN_KEY)
            diagnostics = entry.diagnostics
            if recorded_shown != shown:
                diagnostics = [_moved(diagnostic, recorded_shown, shown) for diagnostic in diagnostics]
            return FileOutcome(path, shown, diagnostics)
        if raw is None:
            try:
                raw = read_bytes(path)
            except OSError:
                return None
            if content_hash(raw) != digest:
                return None  # changed meanwhile: linted from the disk
        try:
            self._sources[path] = decode_source(raw, path)
        except SourceError:
            pass
        return None
    def _still_valid(self, path: Path, entry: FileEntry) -> bool:
        index = self.index_for(path)
        scans = False
        for dependency, digest in entry.dependencies.items():
            if not dependency.startswith("//"):
                if (self._hash_of(dependency) or MISSING) != digest:
                    return False
            elif dependency == _SHOWN_KEY or dependency == CONTENTS_KEY:
                continue
            elif dependency.startswith(SUMMARY_PREFIX):
                if not self._summary_holds(index, dependency[len(SUMMARY_PREFIX) :], digest):
                    return False
            elif dependency.startswith(MENTION_PREFIX):
                if not self._mention_holds(index, dependency, digest):
                    return False
            elif dependency == _NAME_KEY:
                if digest != _module_key(index, path):
                    return False
            elif dependency == _MODULES_KEY:
                if digest != index.signature() and not self._lookups_hold(index, entry):
                    return False
            elif dependency.startswith(SCAN_PREFIX):
                scans = True
            elif index.index_digest(dependency) != digest:
                return False  # also a key this version does not know
        if scans and entry.dependencies.get(CONTENTS_KEY) != self._contents_digest(index):
            # Some module changed since: each search must still find the same modules.
            return all(
                index.scan_digest(dependency) == digest
                for dependency, digest in entry.dependencies.items()
                if dependency.startswith(SCAN_PREFIX)
            )
        return True

    def _lookups_hold(self, index: ProjectIndex, entry: FileEntry) -> bool:
        """Whether every module name the rules looked up resolves as it did."""
        try:
            return all(index.find_module(name) == found for name, found in entry.lookups.items())
        except (ValueError, TypeError):  # malformed: never trusted
            return False

    def _summary_holds(self, index: ProjectIndex, path: str, recorded: object) -> bool:
        """Whether the parts of a module's summary that a file's rules read are as they were
        (a folded "//summary" entry: the content hash, then each part read and its hash)."""
        if not isinstance(recorded, str):
            return False
        content, _, rest = recorded.partition("\t")
        if (self._hash_of(path) or MISSING) == content:
            return True
        if index.summary_now(path) is None:
            return False
        if not rest:
            return True
        combined, *symbols = rest.split("\t")
        now = []
        for symbol in symbols:
            part, _, key = symbol.partition("\x00")
            now.append(f"{symbol}\x00{index.symbol_now(path, part, key)}")
        return _combined(now) == combined

    def _mention_holds(self, index: ProjectIndex, dependency: str, recorded: object) -> bool:
        """Whether a module still holds (or still lacks) the words a rule looked for."""
        if not isinstance(recorded, str):
            return False
        content, _, found = recorded.rpartition(":")
        path = dependency[len(MENTION_PREFIX) :].split("\x00", 1)[0]
        if (self._hash_of(path) or MISSING) == content:
            return True
        now = index.mention_now(dependency)
        return now is not None and str(int(now)) == found

    def _contents_digest(self, index: ProjectIndex) -> str:
        """``ProjectIndex.contents_digest`` from the files as they are now."""
        found = self._contents.get(index.root)
        if found is None:
            found = self._contents[index.root] = modules_digest(index.paths, lambda name, path: self._hash_of(str(path)))
        return found

    def _fix(
        self,
        path: Path,
        shown: str,
        rules: list[ActiveRule],
        index: ProjectIndex,
        first: FileResult,
        result: FileOutcome,
        noqa: NoqaPolicy | None = None,
    ) -> FileResult:
        """Apply fixes until nothing more changes; write (or diff) only a text that parses."""
        original = first.source
        assert original is not None
        current, text, fixed = first, original.text, 0
        for _ in range(MAX_FIX_PASSES):
            new_text, count = apply_fixes(text, current.diagnostics, self.options.unsafe_fixes)
            if count == 0 or new_text == text:
                break
            if isinstance(parse_module(new_text), SyntaxProblem):
                result.errors.append(FileError(shown, "a fix produced code that does not parse; file left unchanged"))
                return first
            text, fixed = new_text, fixed + count
            source = SourceFile(path, text, original.encoding, original.raw)
            current = lint_file(path, shown, rules, index, source=source, noqa=noqa)
            result.internal_errors.extend(current.internal_errors)
        if text == original.text:
            return first
        if self.options.diff:
            result.diffs[shown] = unified_diff(shown, original.text, text)
            result.fixed += fixed
            return first
        try:
            write_atomically(path, text, original.encoding, original.raw)
        except (WriteError, OSError) as error:
            result.errors.append(FileError(shown, f"fix not written: {error}"))
            return first
        result.fixed += fixed
        return current

    def _shown_edits(self, diagnostic: Diagnostic) -> Diagnostic:
        """Rules name other files by absolute path: show them like every path."""
        if diagnostic.fix is None or not any(os.path.isabs(edit.path) for edit in diagnostic.fix.edits):
            return diagnostic
        return replace(diagnostic, fix=self._shown_fix(diagnostic.fix))

    def _shown_fix(self, fix: Fix) -> Fix:
        def shown(path: str | None) -> str | None:
            return display_path(Path(path), self.cwd) if path is not None and os.path.isabs(path) else path

        edits = tuple(replace(edit, path=shown(edit.path), source=shown(edit.source)) for edit in fix.edits)
        return replace(fix, edits=edits)

    def _noqa_policy(self, path: Path, index: ProjectIndex) -> NoqaPolicy:
        return NoqaPolicy(
            known=frozenset(all_codes()),
            enabled=frozenset(self.selected - self._per_file_ignored(path)),
            project_codes=frozenset(rule.code for rule in ALL_RULES if issubclass(rule, ProjectRule)),
            project_reports=lambda code: self._project_reports(code, path, index),
        )

    def _project_findings(self, rule: type[ProjectRule], index: ProjectIndex) -> list[ProjectFinding]:
        """A project rule's findings, computed once per project (FAPI100 may ask before the end of the run)."""
        key = (rule.code, index.root)
        if key not in self._project_cache:
            stored_key = f"{rule.code} {index.root}"
            store = self._store
            if store is not None:
                findings = self._stored_project_findings(store.projects.get(stored_key), index)
                if findings is not None:
                    self._project_cache[key] = findings
                    return findings
            settings = {**rule.option_defaults(), **self.settings.rule_options.get(rule.code, {})}
            # What the rule consults is recorded: when it is the module names alone (FAPI101
            # judging the layout, no restructure planned), the findings are kept while the
            # list of modules is unchanged, whatever their contents.
            outer = index.recorder
            inner = index.recorder = Recorder() if store is not None else None
            try:
                self._project_cache[key] = list(rule(settings).check_project(index))
            finally:
                index.recorder = outer
                if outer is not None and inner is not None:
                    outer.update(inner)
            if store is not None and inner is not None:
                digest = self._project_digest(index, contents=not _names_only(inner))
                if digest is not None:
                    store.projects[stored_key] = [digest, project_findings_json(self._project_cache[key])]
                    self._projects_stored = True
        return self._project_cache[key]

    def _stored_project_findings(self, stored: object, index: ProjectIndex) -> list[ProjectFinding] | None:
        """The findings stored for a project rule, when what they depend on is unchanged."""
        if not isinstance(stored, list) or len(stored) != 2 or not isinstance(stored[0], str):
            return None
        contents = stored[0].startswith(_CONTENTS_DIGEST)
        if stored[0] != self._project_digest(index, contents):
            return None
        return project_findings(stored[1])

    def _project_digest(self, index: ProjectIndex, contents: bool = True) -> str | None:
        """A hash of every module of the project (name, path, and with ``contents`` its
        content) and of its pyproject.toml: while it is unchanged, a project rule finds the
        same (None: a module cannot be read)."""
        parts = [index.signature()]
        if contents:
            for name, path in sorted(index._paths.items()):
                digest = self._hash_of(str(path))
                if digest is None:
                    return None
                parts.append(f"{name}\t{path}\t{digest}")
        else:
            # Every file given a module name (two files may claim one: both count).
            parts.extend(sorted(f"{path}\t{name}" for path, name in index.names_by_path.items()))
        parts.append(self._hash_of(str(index.root / "pyproject.toml")) or "")
        kind = _CONTENTS_DIGEST if contents else _NAMES_DIGEST
        return kind + content_hash("\n".join(parts).encode("utf-8"))

    def _project_reports(self, code: str, path: Path, index: ProjectIndex) -> bool:
        """Whether project rule ``code`` reports ``path``; a rule that fails counts as reporting it."""
        rule = next((rule for rule in self.project_rules if rule.code == code), None)
        if rule is None:
            return False
        try:
            findings = self._project_findings(rule, index)
        except Exception:  # reported by _run_project_rules; meanwhile its noqa is kept
            return True
        target = path.resolve()
        return any((index.root / finding.path).resolve() == target for finding in findings)

    def _add_noqa(self, result: RunResult) -> None:
        """Silence every finding with a noqa comment on its line; the findings left stay reported."""
        by_path: dict[str, list[Diagnostic]] = {}
        for diagnostic in result.diagnostics:
            by_path.setdefault(diagnostic.path, []).append(diagnostic)
        left: list[Diagnostic] = []
        for shown, diagnostics in by_path.items():
            path = self.cwd / shown
            try:
                source = read_source(path)
                addition = add_noqa(source.text, diagnostics)
                if addition.text != source.text:
                    write_atomically(path, addition.text, source.encoding, source.raw)
            except (SourceError, WriteError, OSError) as error:
                result.errors.append(FileError(shown, f"noqa comments not added: {error}"))
                left.extend(diagnostics)
                continue
            result.errors.extend(FileError(shown, problem) for problem in addition.problems)
            result.noqa_added += addition.added
            left.extend(addition.left)
        result.diagnostics = left

    def _run_project_rules(self, roots: list[Path], files: list[Path], result: RunResult) -> None:
        if not self.project_rules or not files:
            return
        linted = set(files)
        directories = [path for path in roots if path.is_dir()]
        for index in list(self._indexes.values()):
            for rule in self.project_rules:
                try:
                    findings = self._project_findings(rule, index)
                except Exception as error:  # a bug in a rule must not stop the run
                    result.internal_errors.append(InternalError(str(index.root), rule.code, f"{type(error).__name__}: {error}"))
                    continue
                for finding in findings:
                    path = (index.root / finding.path).resolve()
                    inside = path in linted or any(_is_under(path, directory) for directory in directories)
                    if not inside or rule.code in self._per_file_ignored(path):
                        continue
                    if _file_silences(path, rule.code, finding.line):
                        continue
                    result.diagnostics.append(
                        Diagnostic(
                            rule.code,
                            rule.name,
                            finding.message,
                            display_path(path, self.cwd),
                            finding.line,
                            finding.column,
                            finding.line,
                            finding.column,
                            self._shown_fix(finding.fix) if finding.fix is not None else None,
                        )
                    )


# Kinds of a project rule's stored digest: of every module's content, or of the names alone.
_CONTENTS_DIGEST = "contents:"
_NAMES_DIGEST = "names:"
_SHOWN_KEY = "//shown"
# Dependencies that follow from the module names and paths (whether a name is a package,
# the names' parts); lookups do too.
_NAME_DEPENDENCIES = (PACKAGE_PREFIX, HEADS_KEY, ROOTS_KEY)
_MODULES_KEY = "//modules"
# The file's own module name, and whether it is a package.
_NAME_KEY = "//module"
_WORKER_ENGINE: Engine | None = None


def _lint_batch(paths: list[Path]) -> tuple[list[FileOutcome], list[observe.Observation], WordMemo | None]:
    """Run in a forked worker: lint a batch with the engine inherited from the parent;
    what the worker observed on disk goes back with the findings (see ``linter/observe.py``),
    and so does the word memo when the worker's searches added to it."""
    assert _WORKER_ENGINE is not None
    mark = observe.mark()
    outcomes = [_WORKER_ENGINE._lint_guarded(path) for path in paths]
    store = _WORKER_ENGINE._store
    memo = store.words if store is not None and store.words.changed else None
    if memo is not None:
        memo.changed = False  # sent once (the parent merges every copy it gets)
    return outcomes, observe.since(mark), memo


def _names_only(recorder: Recorder) -> bool:
    """Whether what was recorded follows from the project's module names and paths alone."""
    return all(key.startswith(_NAME_DEPENDENCIES) for key in recorder.dependencies)


def _folded(dependencies: dict[str, str], own: str) -> dict[str, str]:
    """A file's dependencies as stored: each module's "//symbol" entries folded into its
    "//summary" entry (tab-separated: the content hash, one hash of the parts read, then
    each part read as "part\\0key"), which a run where the module is unchanged checks
    with one comparison; nothing of the file itself (its own content is the entry's key)."""
    folded: dict[str, str] = {}
    symbols: dict[str, list[str]] = {}
    for key, value in dependencies.items():
        if key.startswith(SYMBOL_PREFIX):
            path, _, rest = key[len(SYMBOL_PREFIX) :].partition("\x00")
            symbols.setdefault(path, []).append(f"{rest}\x00{value}")
        elif key == own or (key.startswith((SUMMARY_PREFIX, MENTION_PREFIX)) and _dependency_path(key) == own):
            continue
        else:
            folded[key] = value
    for path, parts in symbols.items():
        if path != own:
            # (Never without its "//summary" entry; "?" matches no content hash if it were.)
            key = SUMMARY_PREFIX + path
            parts.sort()
            names = [part.rsplit("\x00", 1)[0] for part in parts]
            folded[key] = "\t".join([folded.get(key, "?"), _combined(parts), *names])
    return folded


def _combined(parts: list[str]) -> str:
    """One hash for the parts of a summary a file read ("part\\0key\\0hash", sorted)."""
    return content_hash("\n".join(parts).encode("utf-8", "surrogatepass"))[:24]


def _dependency_path(key: str) -> str:
    """The file a "//summary" or "//mention" dependency is about."""
    rest = key[len(SUMMARY_PREFIX) :] if key.startswith(SUMMARY_PREFIX) else key[len(MENTION_PREFIX) :]
    return rest.split("\x00", 1)[0]


def _module_key(index: ProjectIndex, path: Path) -> str:
    name, is_package = index.module_name(path)
    return f"{name}\t{int(is_package)}"


def _moved(diagnostic: Diagnostic, old: str | None, new: str) -> Diagnostic:
    """A cached finding shown from another working directory."""
    fix = diagnostic.fix
    if fix is not None:
        edits = tuple(replace(edit, path=new) if edit.path == old else edit for edit in fix.edits)
        fix = replace(fix, edits=edits)
    return replace(diagnostic, path=new if diagnostic.path == old else diagnostic.path, fix=fix)


def _composed(earlier: dict[str, str], later: dict[str, str]) -> dict[str, str]:
    """Moves of two passes as one: a file moved twice went from its first place to its last."""
    combined = {source: later.get(target, target) for source, target in earlier.items()}
    targets = set(earlier.values())
    combined.update((source, target) for source, target in later.items() if source not in targets)
    return combined


def _is_under(path: Path, directory: Path) -> bool:
    try:
        path.relative_to(directory)
        return True
    except ValueError:
        return False


def _file_silences(path: Path, code: str, line: int) -> bool:
    try:
        return file_silences(read_source(path).text, code, line)
    except SourceError:
        return False


def unified_diff(shown: str, before: str, after: str) -> str:
    return diff_texts(before, after, f"a/{shown}", f"b/{shown}")


def check_source(source: str, path: Path, settings: Settings | None = None) -> list[Diagnostic]:
    """Lint one module given as text, as part of the project that ``path`` belongs to."""
    engine = Engine(settings or Settings(), cwd=path.parent)
    absolute = path.resolve()
    index = engine.index_for(absolute)
    result = lint_file(
        absolute,
        display_path(absolute, engine.cwd),
        engine._rules_for(absolute),
        index,
        source=decode_source(source.encode("utf-8"), absolute),
        noqa=engine._noqa_policy(absolute, index),
    )
    return result.diagnostics
