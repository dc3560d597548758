"""A whole run: find the files, index each project, lint, fix. Knows nothing of the CLI."""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from fastapi_lint.linter.config import Settings, matching_codes, select_codes
from fastapi_lint.linter.diagnostics import Diagnostic, FileError, InternalError
from fastapi_lint.linter.discovery import DEFAULT_EXCLUDE, Excluder, iter_python_files
from fastapi_lint.linter.fixes import MAX_FIX_PASSES, WriteError, apply_fixes, fixes_for, write_atomically
from fastapi_lint.linter.index import ProjectIndex, find_project_root
from fastapi_lint.linter.noqa import UNUSED_NOQA_CODE, NoqaPolicy, add_noqa, file_silences
from fastapi_lint.linter.rule import ProjectFinding, ProjectRule, Rule
from fastapi_lint.linter.runner import SYNTAX_ERROR_CODE, ActiveRule, FileResult, lint_file
from fastapi_lint.linter.source import SourceError, SourceFile, SyntaxProblem, decode_source, parse_module, read_source
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


@dataclass
class RunOptions:
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    force_exclude: bool = False
    add_noqa: bool = False


def display_path(path: Path, cwd: Path) -> str:
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

    # -- projects ----------------------------------------------------------------

    def index_for(self, path: Path) -> ProjectIndex:
        root = find_project_root(path)
        index = self._indexes.get(root)
        if index is None:
            excluder = Excluder(root, self.excluder.patterns, self.excluder.respect_gitignore)
            files = list(iter_python_files([root], excluder, skip_nested_projects=True))
            index = ProjectIndex(root, files)
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
        result = RunResult()
        existing: list[Path] = []
        for path in paths:
            absolute = (self.cwd / path) if not path.is_absolute() else path
            if not absolute.exists():
                result.errors.append(FileError(str(path), "no such file or directory"))
            else:
                existing.append(absolute.absolute())
        files = sorted(iter_python_files(existing, self.excluder, self.options.force_exclude))
        result.files_checked = len(files)
        for path in files:
            try:
                self._lint_one(path, result)
            except Exception as error:  # a bug in the engine must not stop the run
                shown = display_path(path, self.cwd)
                result.internal_errors.append(InternalError(shown, "engine", f"{type(error).__name__}: {error}"))
        self._run_project_rules(existing, files, result)
        if self.options.add_noqa:
            self._add_noqa(result)
        result.diagnostics.sort(key=lambda diagnostic: diagnostic.sort_key)
        return result

    def _lint_one(self, path: Path, result: RunResult) -> None:
        index = self.index_for(path)
        shown = display_path(path, self.cwd)
        rules = self._rules_for(path)
        check_syntax = SYNTAX_ERROR_CODE in self.selected and SYNTAX_ERROR_CODE not in self._per_file_ignored(path)
        noqa = self._noqa_policy(path, index)
        file_result = lint_file(path, shown, rules, index, check_syntax=check_syntax, noqa=noqa)
        result.errors.extend(file_result.errors)
        result.internal_errors.extend(file_result.internal_errors)
        if (self.options.fix or self.options.diff) and file_result.source is not None:
            if fixes_for(file_result.diagnostics, self.options.unsafe_fixes):
                file_result = self._fix(path, shown, rules, index, file_result, result, noqa)
        result.diagnostics.extend(file_result.diagnostics)

    def _fix(
        self,
        path: Path,
        shown: str,
        rules: list[ActiveRule],
        index: ProjectIndex,
        first: FileResult,
        result: RunResult,
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
            result.diffs.append(unified_diff(shown, original.text, text))
            result.fixed += fixed
            return first
        try:
            write_atomically(path, text, original.encoding, original.raw)
        except (WriteError, OSError) as error:
            result.errors.append(FileError(shown, f"fix not written: {error}"))
            return first
        result.fixed += fixed
        return current

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
            settings = {**rule.option_defaults(), **self.settings.rule_options.get(rule.code, {})}
            self._project_cache[key] = list(rule(settings).check_project(index))
        return self._project_cache[key]

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
                        )
                    )


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
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=f"a/{shown}", tofile=f"b/{shown}"
        )
    )


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
