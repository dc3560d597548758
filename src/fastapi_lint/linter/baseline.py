"""Baselines: record today's findings, then report only new ones.

A finding is known by its file, its code and a fingerprint of the code it is
reported on, never by its line number: code inserted above a recorded finding
does not bring it back, and a reformatted line keeps its fingerprint. Identical
lines in one file are told apart by counting: N entries with the same (path,
code, fingerprint) absorb up to N findings.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from fastapi_lint.linter.diagnostics import Diagnostic
from fastapi_lint.linter.engine import RunResult, display_path
from fastapi_lint.linter.source import SourceError, read_source

FORMAT_VERSION = 1
TOOL = "fastapi-lint"

# Python's own line breaks (str.splitlines also splits on form feeds and others).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class BaselineError(Exception):
    """A baseline file that cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Entry:
    path: str  # relative to the baseline file's folder, posix
    code: str
    fingerprint: str
    # For people reading the file; never used to match.
    line: int
    message: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.code, self.fingerprint)

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "code": self.code, "fingerprint": self.fingerprint, "line": self.line, "message": self.message}


@dataclass(frozen=True)
class Scope:
    """What a run looked at. Entries outside it are neither stale nor rewritten,
    so that ``check app/api --select FAPI3`` leaves the rest of the baseline alone."""

    roots: tuple[Path, ...]
    codes: frozenset[str] | None = None  # None: every code

    @classmethod
    def of(cls, paths: Iterable[Path], codes: Iterable[str] | None, cwd: Path) -> "Scope":
        return cls(tuple((cwd / path).resolve() for path in paths), None if codes is None else frozenset(codes))

    def covers(self, path: Path, code: str) -> bool:
        if self.codes is not None and code not in self.codes:
            return False
        return any(path == root or root in path.parents for root in self.roots)


def project_level_codes() -> frozenset[str]:
    """Codes of the rules that judge a package's layout; their line means nothing."""
    from fastapi_lint.linter.rule import ProjectRule
    from fastapi_lint.rules import ALL_RULES

    return frozenset(rule.code for rule in ALL_RULES if issubclass(rule, ProjectRule))


# -- writing -------------------------------------------------------------------


def write_baseline_file(path: Path, result: RunResult, cwd: Path, scope: Scope | None = None) -> int:
    """Write the findings of ``result`` as a baseline; returns how many entries were written.

    With a ``scope``, the entries of an existing baseline outside it are kept.
    """
    target = (cwd / path).resolve()
    entries = _Fingerprinter(target.parent, cwd).entries(result.diagnostics)
    if scope is not None and target.exists():
        try:
            previous = read_entries(target)
        except BaselineError:
            previous = []  # rewriting is how a broken baseline is repaired
        keep = _Keeper(target.parent, cwd, result, scope)
        entries.extend(entry for entry in previous if not keep.in_scope(entry))
    entries.sort(key=lambda entry: (entry.path, entry.line, entry.code, entry.fingerprint, entry.message))
    document = {"version": FORMAT_VERSION, "tool": TOOL, "entries": [entry.to_json() for entry in entries]}
    _write_atomically(target, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return len(entries)


def _write_atomically(target: Path, text: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise BaselineError(f"{target}: cannot write: {error.strerror or error}") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        # mkstemp creates the file 0600; a baseline is meant to be committed and shared.
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except OSError as error:
        _remove_quietly(temporary)
        raise BaselineError(f"{target}: cannot write: {error.strerror or error}") from None
    except BaseException:
        _remove_quietly(temporary)
        raise


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# -- applying ------------------------------------------------------------------


def apply_baseline(path: Path, result: RunResult, cwd: Path, scope: Scope | None = None) -> list[str]:
    """Remove the findings recorded in the baseline from ``result``; return the stale entries.

    A stale entry matched no finding although its file and code were linted: the
    finding was fixed (or its line changed beyond recognition).
    """
    target = (cwd / path).resolve()
    entries = read_entries(target)
    available: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
    for entry in entries:
        available[entry.key].append(entry)
    fingerprinter = _Fingerprinter(target.parent, cwd)
    remaining = []
    for diagnostic in result.diagnostics:
        matches = available.get(fingerprinter.key(diagnostic))
        if matches:
            # Both are in line order: the first findings absorb the first entries.
            matches.pop(0)
        else:
            remaining.append(diagnostic)
    result.diagnostics[:] = remaining
    keep = _Keeper(target.parent, cwd, result, scope)
    unmatched = sorted(
        (entry for group in available.values() for entry in group if keep.in_scope(entry)),
        key=lambda entry: (entry.path, entry.line, entry.code),
    )
    return [_describe(entry, target.parent, cwd) for entry in unmatched]


def _describe(entry: Entry, base: Path, cwd: Path) -> str:
    shown = display_path(Path(os.path.normpath(base / entry.path)), cwd)
    return f"{shown}: {entry.code} {_shorten(entry.message)} (line {entry.line} at writing time)"


def _shorten(message: str, width: int = 100) -> str:
    """Messages run to several sentences; a warning line needs only their start."""
    if len(message) <= width:
        return message
    return message[:width].rsplit(" ", 1)[0].rstrip(",:;") + "..."


class _Keeper:
    """Which entries this run could have matched."""

    def __init__(self, base: Path, cwd: Path, result: RunResult, scope: Scope | None) -> None:
        self.base = base
        self.scope = scope
        # A file that could not be read, or whose linting crashed, proves nothing fixed.
        self.unreadable = {(cwd / error.path).resolve() for error in result.errors}
        self.crashed = {((cwd / error.path).resolve(), error.rule) for error in result.internal_errors}

    def in_scope(self, entry: Entry) -> bool:
        path = Path(os.path.normpath(self.base / entry.path))
        if path in self.unreadable or (path, entry.code) in self.crashed or (path, "engine") in self.crashed:
            return False
        return self.scope is None or self.scope.covers(path, entry.code)


# -- fingerprints --------------------------------------------------------------


class _Fingerprinter:
    def __init__(self, base: Path, cwd: Path) -> None:
        self.base = base
        self.cwd = cwd
        self.project_codes = project_level_codes()
        self._lines: dict[Path, list[str] | None] = {}

    def relative(self, diagnostic: Diagnostic) -> tuple[Path, str]:
        absolute = (self.cwd / diagnostic.path).resolve()
        return absolute, Path(os.path.relpath(absolute, self.base)).as_posix()

    def key(self, diagnostic: Diagnostic) -> tuple[str, str, str]:
        absolute, relative = self.relative(diagnostic)
        return (relative, diagnostic.code, self.fingerprint(diagnostic, absolute))

    def entries(self, diagnostics: Sequence[Diagnostic]) -> list[Entry]:
        result = []
        for diagnostic in diagnostics:
            absolute, relative = self.relative(diagnostic)
            fingerprint = self.fingerprint(diagnostic, absolute)
            result.append(Entry(relative, diagnostic.code, fingerprint, diagnostic.line, diagnostic.message))
        return result

    def fingerprint(self, diagnostic: Diagnostic, absolute: Path) -> str:
        if diagnostic.code in self.project_codes:
            # About the package as a whole: one per package, whatever its first line says.
            context = ""
        else:
            lines = self._source_lines(absolute)
            if lines is None:
                context = diagnostic.message
            else:
                reported = lines[diagnostic.line - 1 : max(diagnostic.line, diagnostic.end_line)]
                # Without any whitespace, so that reformatting does not resurrect a finding.
                context = "\n".join("".join(line.split()) for line in reported)
        digest = hashlib.sha256(f"{diagnostic.code}\0{context}".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()[:16]

    def _source_lines(self, path: Path) -> list[str] | None:
        if path not in self._lines:
            try:
                self._lines[path] = _LINE_BREAK.split(read_source(path).text)
            except SourceError:
                self._lines[path] = None
        return self._lines[path]


# -- reading -------------------------------------------------------------------


def read_entries(path: Path) -> list[Entry]:
    """The entries of a baseline file; raise BaselineError saying what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such file (create it with --write-baseline)") from None
    except IsADirectoryError:
        raise BaselineError(f"{path}: is a directory, not a baseline file") from None
    except UnicodeDecodeError:
        raise BaselineError(f"{path}: not a baseline file (not UTF-8 text)") from None
    except OSError as error:
        raise BaselineError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(f"{path}: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
    return _parse_document(document, path)


def _parse_document(document: Any, path: Path) -> list[Entry]:
    if not isinstance(document, dict) or document.get("tool") != TOOL:
        raise BaselineError(f'{path}: not a fastapi-lint baseline (expected an object with "tool": "{TOOL}")')
    version = document.get("version")
    if version != FORMAT_VERSION:
        raise BaselineError(
            f"{path}: baseline format version {version!r} is not supported (this fastapi-lint reads version {FORMAT_VERSION})"
        )
    raw_entries = document.get("entries")
    if not isinstance(raw_entries, list):
        raise BaselineError(f'{path}: "entries" must be a list')
    return [_parse_entry(raw, number, path) for number, raw in enumerate(raw_entries, start=1)]


def _parse_entry(raw: Any, number: int, path: Path) -> Entry:
    where = f"{path}: entry {number}"
    if not isinstance(raw, dict):
        raise BaselineError(f"{where}: expected an object")
    for key in ("path", "code", "fingerprint"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise BaselineError(f'{where}: "{key}" must be a non-empty string')
    line = raw.get("line", 0)
    message = raw.get("message", "")
    if not isinstance(line, int) or isinstance(line, bool):
        raise BaselineError(f'{where}: "line" must be an integer')
    if not isinstance(message, str):
        raise BaselineError(f'{where}: "message" must be a string')
    return Entry(posixpath.normpath(raw["path"]), raw["code"], raw["fingerprint"], line, message)
