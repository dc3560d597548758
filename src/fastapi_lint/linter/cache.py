"""The persistent cache: per-file findings and per-module summaries, keyed by content.

Under ``.fastapi_lint_cache/<version>/``: one JSON file per configuration holding each
file's findings and what they depend on, and ``summaries/``, a store of module
summaries (JSON too) named by a hash of what they summarise, shared by every
configuration and read one at a time, only when a module is summarised again (a warm
run reads none). JSON, not pickle: a cache directory can come from anyone's
repository, and reading it must never run code. Every file is written whole to a
temporary file then renamed, so two runs at once never leave one half-written (for the
findings, the last run wins; a summary's file never changes once written); a file that
does not parse or does not have the expected shape is discarded, never trusted (an
entry of the findings is checked when it is used: a malformed one counts as absent).
The findings file is one JSON object laid out a line per file, so that a run parses
only the entries it checks (their lookups only when the module names changed) and
writes back the others as they were.

A file's findings are reused when its bytes are unchanged and so is everything its
rules consulted elsewhere: the parts of other modules' summaries they read (the
definitions they looked up, with their lines), whether a module's text holds the
words they looked for, the whole text of modules they read or parsed, and how every
module name they looked up resolves. Editing the email helper that a router's
background task calls re-lints the router; adding a function elsewhere in the
helper's module does not. A search of every module for some words is recorded as
the modules it found, not as every module read; which words each content holds is
kept here too (``words``), so that checking a search reads only the modules that
changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from fastapi_lint import __version__
from fastapi_lint.linter.diagnostics import Diagnostic, Edit, Fix
from fastapi_lint.linter.observe import ignored_by_git
from fastapi_lint.linter.index import AssignSummary, ClassSummary, FunctionSummary, ModuleSummary, WordMemo
from fastapi_lint.linter.rule import ProjectFinding

_FORMAT = 5
_SUMMARIES = "summaries"
_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError)


class FileEntry:
    """One file's findings and what they depend on. Read from the cache file, it keeps
    its stored text (written back as it was when unchanged) and parses the lookups only
    when they are needed (when the project's module names changed)."""

    __slots__ = ("content", "diagnostics", "dependencies", "_lookups", "text")

    def __init__(
        self,
        content: str,
        diagnostics: list[Diagnostic],
        dependencies: dict[str, str],
        lookups: "dict[str, str | None] | str",
        text: str | None = None,
    ) -> None:
        self.content = content
        self.diagnostics = diagnostics
        # Project files whose summaries the rules read: path -> content hash (and the
        # engine's and the index's keys starting with "//").
        self.dependencies = dependencies
        # Module names the rules looked up: name -> the module it resolved to (None:
        # absent); as stored (JSON) until asked for.
        self._lookups = lookups
        # The entry as stored, when read from the cache file.
        self.text = text

    @property
    def lookups(self) -> dict[str, str | None]:
        """Raises ValueError when the stored lookups are malformed."""
        if isinstance(self._lookups, str):
            try:
                value = json.loads(self._lookups)
            except RecursionError:
                raise ValueError("bad entry") from None
            if not isinstance(value, dict):
                raise ValueError("bad entry")
            self._lookups = value
        return self._lookups


class StoredFiles(dict):  # type: ignore[type-arg]
    """path -> FileEntry; an entry read from the file is built when it is asked for, and
    one that turns out malformed is dropped, never trusted."""

    def get(self, key: str, default: object = None) -> FileEntry | None:  # type: ignore[override]
        value = super().get(key)
        if value is None or isinstance(value, FileEntry):
            return value if value is not None else default  # type: ignore[return-value]
        try:
            entry = _file_entry(value)
        except (*_ERRORS, RecursionError):
            del self[key]
            return default  # type: ignore[return-value]
        self[key] = entry
        return entry


# Stale summaries the store keeps beyond the live ones.
PRUNE_SLACK = 256


class SummaryStore:
    """Module summaries, one small JSON file each, named by a hash of the module's
    content, name, kind and path: a file never changes once written."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def name(self, digest: str, module: str, is_package: bool, path: str) -> str:
        """The name of the file holding that summary."""
        key = f"{digest}\x00{module}\x00{int(is_package)}\x00{path}"
        return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def _file(self, digest: str, module: str, is_package: bool, path: str) -> str:
        name = self.name(digest, module, is_package, path)
        return os.path.join(self.directory, name[:2], name)

    def stored(self) -> "list[os.DirEntry[str]] | None":
        """The summary files in the store (None when it cannot be listed)."""
        try:
            folders = [entry.path for entry in os.scandir(self.directory) if entry.is_dir(follow_symlinks=False)]
            return [entry for folder in folders for entry in os.scandir(folder) if not entry.name.startswith(".")]
        except OSError:
            return None

    def prune(self, live: set[str], slack: int = PRUNE_SLACK, stored: "list[os.DirEntry[str]] | None" = None) -> None:
        """Remove the summaries not named in ``live`` when there are more of them than
        ``live`` plus ``slack`` (other configurations and projects sharing the folder
        make theirs again when they need them). ``stored``: the store's files, if listed."""
        files = stored if stored is not None else self.stored()
        if files is None:
            return
        stale = [entry.path for entry in files if entry.name not in live]
        if len(stale) <= len(live) + slack:
            return
        for path in stale:
            try:
                os.unlink(path)
            except OSError:
                pass

    def load(self, digest: str, module: str, is_package: bool, path: str) -> ModuleSummary | None:
        """The summary stored for that module content; None when absent or malformed."""
        try:
            with open(self._file(digest, module, is_package, path), encoding="utf-8") as handle:
                value = json.loads(handle.read())
            summary = _summary(value)
        except (OSError, UnicodeError, *_ERRORS):
            return None
        if (summary.name, summary.path, summary.is_package) != (module, path, is_package):
            return None
        return summary

    def save(self, digest: str, summary: ModuleSummary) -> None:
        target = self._file(digest, summary.name, summary.is_package, summary.path)
        if os.path.exists(target):
            return
        text = json.dumps(_summary_json(summary), separators=(",", ":"))
        folder = os.path.dirname(target)
        os.makedirs(folder, exist_ok=True)
        import tempfile  # imported when writing: a warm run writes nothing

        descriptor, temporary = tempfile.mkstemp(prefix=".summary.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, target)
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise


@dataclass
class CacheData:
    files: dict[str, FileEntry] = field(default_factory=StoredFiles)
    # Summaries made in this run, to store: path -> (content hash, summary).
    summaries: dict[str, tuple[str, ModuleSummary]] = field(default_factory=dict)
    # "<rule code> <project root>" -> [hash of the project's files, findings as stored]
    projects: dict[str, list[Any]] = field(default_factory=dict)
    summary_store: SummaryStore | None = None
    # Which searched-for words each module content holds (see ``index.WordMemo``).
    words: WordMemo = field(default_factory=WordMemo)


# Words the memo keeps beyond those a run used (a rule may search for a word per module).
MAX_WORDS = 256


def cache_file(directory: Path, settings_key: str) -> Path:
    return directory / __version__ / f"{settings_key}.json"


def settings_key(parts: Mapping[str, Any]) -> str:
    """A short hash of everything in the configuration that changes findings."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()


def summary_store(path: Path) -> SummaryStore:
    """The summaries beside the cache file ``path``."""
    return SummaryStore(path.parent / _SUMMARIES)


# The cache file is one JSON object laid out a line per file's entry, so that a run
# finds each entry by splitting lines (parsing only the entries it uses) and writes
# back the entries it did not change as they were, instead of parsing and encoding
# every one: '{"header":{...},"files":{' / '"<path>":<entry>,' per file / '}}'.
_HEAD, _FILES, _END = '{"header":', ',"files":{', "}}"
_DECODER = json.JSONDecoder()


def load(path: Path) -> CacheData:
    """The cache at ``path``; empty when it is missing, unreadable or malformed."""
    store = summary_store(path)
    try:
        lines = path.read_bytes().decode("utf-8").split("\n")
        first, last = lines[0], lines[-1]
        if not (first.startswith(_HEAD) and first.endswith(_FILES) and last == _END):
            raise ValueError("bad cache")
        data = json.loads(first[len(_HEAD) : -len(_FILES)])
        if not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("version") != __version__:
            return CacheData(summary_store=store)
        projects = data.get("projects", {})
        if not isinstance(projects, dict):
            raise ValueError("bad cache")
        files = StoredFiles()
        for line in lines[1:-1]:
            key, end = _DECODER.raw_decode(line)
            if not isinstance(key, str) or line[end : end + 1] != ":":
                raise ValueError("bad cache")
            files[key] = line[end + 1 : -1] if line.endswith(",") else line[end + 1 :]
        return CacheData(files, {}, projects, store, _word_memo(data.get("words")))
    except (OSError, UnicodeError, RecursionError, *_ERRORS):
        return CacheData(summary_store=store)


def _word_memo(value: Any) -> WordMemo:
    """The stored memo; an empty one when malformed (searches then read every module)."""
    try:
        tested, found = value["tested"], value["found"]
        if not isinstance(tested, list) or not isinstance(found, dict):
            raise ValueError("bad memo")
        if not all(isinstance(digest, str) for digest in tested):
            raise ValueError("bad memo")
        if not all(isinstance(word, str) and isinstance(digests, list) for word, digests in found.items()):
            raise ValueError("bad memo")
        return WordMemo(tested, {word: [str(digest) for digest in digests] for word, digests in found.items()})
    except _ERRORS:
        return WordMemo()


def _word_memo_json(memo: WordMemo, live: set[str] | None) -> dict[str, Any]:
    """The memo to store: the contents of ``live`` (when given), the words used last first."""
    tested = memo.tested if live is None else memo.tested & live
    words = sorted(memo.found, key=lambda word: (word not in memo.used, word))[: max(MAX_WORDS, len(memo.used))]
    return {"tested": sorted(tested), "found": {word: sorted(memo.found[word] & tested) for word in words}}


def save(path: Path, cache: CacheData, contents: set[str] | None = None) -> None:
    """Write the cache atomically; a failure to write only costs speed next time.
    ``contents``: the content hashes of the files seen in this run (the word memo keeps
    those and the files' recorded ones)."""
    # Entries of files that no longer exist would only grow the file.
    files = {key: entry for key, entry in cache.files.items() if os.path.exists(key)}
    live = None
    if contents is not None:
        live = set(contents)
        live.update(filter(None, map(_entry_content, files.values())))
    header = {
        "format": _FORMAT,
        "version": __version__,
        "projects": cache.projects,
        "words": _word_memo_json(cache.words, live),
    }
    lines = [f"{json.dumps(key)}:{_file_entry_json(entry)}" for key, entry in sorted(files.items())]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignored_by_git(str(path.parent.parent))
        store = cache.summary_store or summary_store(path)
        for digest, summary in cache.summaries.values():
            store.save(digest, summary)
        # ``json.dumps``, not ``json.dump``: only the former uses the C encoder.
        head = _HEAD + json.dumps(header, separators=(",", ":")) + _FILES
        text = "\n".join([head, ",\n".join(lines), _END] if lines else [head, _END])
        import tempfile  # imported when writing: a warm run writes nothing

        descriptor, temporary = tempfile.mkstemp(prefix=".cache.", suffix=".tmp", dir=path.parent)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError:
        return


# -- (de)serialising -------------------------------------------------------------------


def project_findings_json(findings: list[ProjectFinding]) -> list[Any]:
    return [[f.path, f.message, f.line, f.column, None if f.fix is None else _fix_json(f.fix)] for f in findings]


def project_findings(value: Any) -> list[ProjectFinding] | None:
    """Stored project findings, or None when the entry is malformed (then it is recomputed)."""
    try:
        return [
            ProjectFinding(str(path), str(message), int(line), int(column), None if fix is None else _fix(fix))
            for path, message, line, column, fix in value
        ]
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def _fix_json(fix: Fix) -> list[Any]:
    return [fix.applicability, fix.message, [_edit_json(e) for e in fix.edits]]


def _fix(value: list[Any]) -> Fix:
    applicability, message, edits = value
    if applicability not in ("safe", "unsafe"):
        raise ValueError("bad applicability")
    return Fix(applicability, str(message), tuple(_edit(edit) for edit in edits))


def _diagnostic_json(diagnostic: Diagnostic) -> list[Any]:
    fix = diagnostic.fix
    return [
        diagnostic.code,
        diagnostic.name,
        diagnostic.message,
        diagnostic.path,
        diagnostic.line,
        diagnostic.column,
        diagnostic.end_line,
        diagnostic.end_column,
        None if fix is None else _fix_json(fix),
    ]


def _edit_json(edit: Edit) -> list[Any]:
    record: list[Any] = [edit.path, edit.line, edit.column, edit.end_line, edit.end_column, edit.content]
    if edit.kind != "replace":
        record += [edit.kind, edit.source]
    return record


def _diagnostic(value: list[Any]) -> Diagnostic:
    code, name, message, path, line, column, end_line, end_column, fix = value
    parsed_fix = None if fix is None else _fix(fix)
    return Diagnostic(str(code), str(name), str(message), str(path), int(line), int(column), int(end_line), int(end_column), parsed_fix)


def _edit(value: list[Any]) -> Edit:
    path, line, column, end_line, end_column, content, *rest = value
    edit = Edit(str(path), int(line), int(column), int(end_line), int(end_column), str(content))
    if not rest:
        return edit
    kind, source = rest
    if kind not in ("create", "move"):
        raise ValueError("bad edit kind")
    return Edit(edit.path, edit.line, edit.column, edit.end_line, edit.end_column, edit.content, kind, None if source is None else str(source))


def _file_entry_json(entry: "FileEntry | str") -> str:
    """An entry as stored: ``[content, dependencies, diagnostics, lookups]``, the lookups
    as a JSON text in a string (parsed only when the module names changed)."""
    if not isinstance(entry, FileEntry):
        return entry  # read from the file and not used in this run: written back as it was
    if entry.text is not None:
        return entry.text
    lookups = entry._lookups if isinstance(entry._lookups, str) else json.dumps(entry._lookups, separators=(",", ":"))
    diagnostics = [_diagnostic_json(d) for d in entry.diagnostics]
    return json.dumps([entry.content, entry.dependencies, diagnostics, lookups], separators=(",", ":"))


def _file_entry(value: str) -> FileEntry:
    content, dependencies, diagnostics, lookups = json.loads(value)
    if not all(isinstance(part, kind) for part, kind in ((content, str), (dependencies, dict), (diagnostics, list), (lookups, str))):
        raise ValueError("bad entry")
    # Dependencies and lookups are only ever compared with what is found now: a value of
    # another type than recorded is a difference (the file is linted again), never trusted.
    return FileEntry(content, [_diagnostic(item) for item in diagnostics], dependencies, lookups, value)


def _entry_content(entry: "FileEntry | str") -> str | None:
    """The content hash an entry was recorded for, without parsing the rest of it."""
    if isinstance(entry, FileEntry):
        return entry.content
    try:
        content, _ = _DECODER.raw_decode(entry, 1)
    except (ValueError, TypeError):
        return None
    return content if isinstance(content, str) and entry.startswith("[") else None


def _value_json(value: object) -> Any:
    from fastapi_lint.linter.ast_summary import Ref

    if value is ...:
        return {"unknown": True}
    if isinstance(value, Ref):
        return {"ref": value.qualname}
    if value is None or isinstance(value, (str, int, bool, float)):
        return value
    # A literal JSON cannot hold (bytes, complex, a tuple): stored as unknown, which the
    # rules treat as "some value" (it only costs precision on reload, never a crash).
    return {"unknown": True}


def _value(value: Any) -> object:
    from fastapi_lint.linter.ast_summary import Ref

    if isinstance(value, dict):
        if value.get("unknown"):
            return ...
        if "ref" in value:
            return Ref(value["ref"])
        raise ValueError("bad value")
    if value is None or isinstance(value, (str, int, bool, float)):
        return value
    raise ValueError("bad value")


def _summary_json(summary: ModuleSummary) -> dict[str, Any]:
    return {
        "name": summary.name,
        "path": summary.path,
        "is_package": summary.is_package,
        "imports": summary.imports,
        "functions": {
            key: [f.name, f.line, f.is_async, f.is_generator, list(f.decorators), list(f.calls), list(f.returns), list(f.params)]
            for key, f in summary.functions.items()
        },
        "classes": {
            key: [c.name, c.line, list(c.bases), list(c.fields), list(c.methods), [[k, _value_json(v)] for k, v in c.config]]
            for key, c in summary.classes.items()
        },
        "assigns": {
            key: [a.name, a.line, a.call, [[k, _value_json(v)] for k, v in a.keywords], a.has_double_star, a.alias]
            for key, a in summary.assigns.items()
        },
    }


def _strings(values: Any) -> tuple[str, ...]:
    return tuple(str(value) for value in values)


def _summary(value: dict[str, Any]) -> ModuleSummary:
    functions = {
        str(key): FunctionSummary(
            str(f[0]), int(f[1]), bool(f[2]), bool(f[3]), _strings(f[4]), _strings(f[5]), _strings(f[6]), _strings(f[7])
        )
        for key, f in value["functions"].items()
    }
    classes = {
        str(key): ClassSummary(
            str(c[0]), int(c[1]), _strings(c[2]), _strings(c[3]), _strings(c[4]), tuple((str(k), _value(v)) for k, v in c[5])
        )
        for key, c in value["classes"].items()
    }
    assigns = {
        str(key): AssignSummary(
            str(a[0]),
            int(a[1]),
            None if a[2] is None else str(a[2]),
            tuple((str(k), _value(v)) for k, v in a[3]),
            bool(a[4]),
            None if a[5] is None else str(a[5]),
        )
        for key, a in value["assigns"].items()
    }
    imports = {str(k): str(v) for k, v in value["imports"].items()}
    return ModuleSummary(str(value["name"]), str(value["path"]), bool(value["is_package"]), imports, functions, classes, assigns)
