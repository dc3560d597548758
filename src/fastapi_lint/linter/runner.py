"""Lint one file: pre-filter by trigger words, parse once, run every rule in one traversal."""

from __future__ import annotations

import ast
import sys
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from fastapi_lint.linter import observe
from fastapi_lint.linter.diagnostics import Diagnostic, FileError, InternalError
from fastapi_lint.linter.noqa import NoqaPolicy, mentions_noqa, suppress
from fastapi_lint.linter.source import (
    SourceError,
    SourceFile,
    SyntaxProblem,
    code_text,
    is_risky,
    parse_module,
    read_source,
    time_limit,
)

if TYPE_CHECKING:
    import libcst as cst

    from fastapi_lint.linter.index import ProjectIndex
    from fastapi_lint.linter.rule import Rule

SYNTAX_ERROR_CODE = "FAPI000"
SYNTAX_ERROR_NAME = "syntax-error"


@dataclass(frozen=True)
class ActiveRule:
    rule: type["Rule"]
    settings: Mapping[str, Any]


@dataclass
class FileResult:
    path: Path
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    internal_errors: list[InternalError] = field(default_factory=list)
    source: SourceFile | None = None


def lint_file(
    path: Path,
    display_path: str,
    rules: Sequence[ActiveRule],
    index: "ProjectIndex",
    source: SourceFile | None = None,
    check_syntax: bool = True,
    noqa: NoqaPolicy | None = None,
    isolate: bool = False,
) -> FileResult:
    """Lint one file; ``noqa`` (when given) also judges its noqa comments (FAPI100).

    A file that could crash LibCST's native parser (or any file, with ``isolate``) is
    linted in a child process."""
    result = FileResult(path)
    if source is None:
        try:
            source = read_source(path)
        except SourceError as error:
            result.errors.append(FileError(display_path, str(error)))
            return result
    result.source = source
    text = source.text
    active = _active_rules(rules, text)
    parsed_by_cpython = False
    if SURVEY_CALLS and any(rule.rule.surveys_calls for rule in active):
        active, parsed_by_cpython = _surveyed_rules(active, path, source, index)
    if not active:
        # No rule can fire: CPython's own parser is enough to tell whether the file parses
        # (a file that does not gets no FAPI100: its noqa comments are not judged).
        judge_noqa = noqa is not None and noqa.reports_unused and mentions_noqa(text)
        wanted = (check_syntax or judge_noqa) and not (parsed_by_cpython or _summarised_from_cpython(path, source, index))
        problem = quick_syntax_check(text, display_path) if wanted else None
        if problem is None:
            result.diagnostics.extend(suppress([], text, display_path, noqa))
        elif check_syntax:
            result.diagnostics.append(_syntax_diagnostic(problem, display_path))
        return result
    if (isolate or is_risky(text)) and not _IN_CHILD:
        lint = lambda: lint_file(path, display_path, rules, index, source, check_syntax, noqa)  # noqa: E731
        return _lint_in_child(result, display_path, lint, index)
    valid_python = parsed_by_cpython or _summarised_from_cpython(path, source, index)
    tree = parse_module(text, probe=False, valid_python=valid_python)
    if isinstance(tree, SyntaxProblem):
        if check_syntax:
            # CPython's message and position are the ones users know; LibCST's is the fallback.
            problem = quick_syntax_check(text, display_path) or SyntaxProblem(
                f"LibCST cannot parse this file (CPython can): {tree.message}", tree.line, tree.column
            )
            result.diagnostics.append(_syntax_diagnostic(problem, display_path))
        return result
    diagnostics = _run_rules(path, display_path, text, tree, active, index, result)
    if noqa is not None and (result.errors or result.internal_errors):
        # A rule that failed (or a traversal that did not finish) proves nothing about its noqa.
        noqa = noqa.without(noqa.enabled if result.errors else {error.rule for error in result.internal_errors})
    result.diagnostics.extend(suppress(diagnostics, text, display_path, noqa))
    return result


_IN_CHILD = False
# Whether rules with ``triggers_in_code`` look for their triggers outside comments and
# strings only (off: anywhere in the text; tests compare both).
CODE_TRIGGERS = True
# Whether rules with ``surveys_calls`` judge a module's call census before it is parsed
# (off: every module with their triggers is parsed; tests compare both).
SURVEY_CALLS = True


def _active_rules(rules: Sequence[ActiveRule], text: str) -> list[ActiveRule]:
    """The rules that can fire on ``text``: those whose trigger words it contains."""
    active = [rule for rule in rules if not rule.rule.triggers or any(word in text for word in rule.rule.triggers)]
    if CODE_TRIGGERS and any(rule.rule.triggers and rule.rule.triggers_in_code for rule in active):
        code = code_text(text)
        active = [
            rule
            for rule in active
            if not (rule.rule.triggers and rule.rule.triggers_in_code) or any(word in code for word in rule.rule.triggers)
        ]
    return active


def _summarised_from_cpython(path: Path, source: SourceFile, index: "ProjectIndex") -> bool:
    """Whether CPython parsed this very text in this run (to summarise it for the index)."""
    from fastapi_lint.linter.index import content_hash

    return index.census(index.module_name(path)[0], content_hash(source.raw)) is not None


def _surveyed_rules(
    active: list[ActiveRule], path: Path, source: SourceFile, index: "ProjectIndex"
) -> tuple[list[ActiveRule], bool]:
    """The active rules left once those that survey calls have judged the module's call
    census, and whether CPython parsed the module (then it has no syntax error).

    The census comes with the module's summary (the same ``ast`` walk): the index keeps
    it, as the rules would otherwise summarise the module again to resolve its names."""
    from fastapi_lint.linter.ast_summary import survey_source
    from fastapi_lint.linter.index import content_hash

    module, is_package = index.module_name(path)
    digest = content_hash(source.raw)
    census = index.census(module, digest)
    if census is None:
        surveyed = survey_source(source.text, module, is_package, index.relative_path(path))
        if surveyed is None:
            return active, False
        summary, census = surveyed
        index.add_summary(module, summary, digest)
    kept = [rule for rule in active if not rule.rule.surveys_calls or rule.rule.may_fire(census, index)]
    return kept, True


def _lint_in_child(
    result: FileResult, display_path: str, lint: Callable[[], FileResult], index: "ProjectIndex | None" = None
) -> FileResult:
    """Lint a file that could crash or stall LibCST's native parser in a child process:
    a crash or a time-out there becomes an error for this file, not the end of the run.
    What the child's rules consulted in the project (for the cache) comes back with it."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" not in methods:  # the child must inherit the rules and the index
        return lint()
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        global _IN_CHILD
        _IN_CHILD = True
        known = set(index.new_summaries) if index is not None else set()
        mark = observe.mark()
        outcome = lint()
        outcome.source = None
        consulted = None
        if index is not None:
            recorder = index.recorder
            summaries = {key: value for key, value in index.new_summaries.items() if key not in known}
            consulted = (recorder.dependencies, recorder.lookups) if recorder is not None else None, summaries
        sender.send((outcome, consulted, observe.since(mark)))

    process = context.Process(target=child, daemon=True)
    process.start()
    sender.close()
    seconds = time_limit(result.source.text if result.source is not None else "")
    if receiver.poll(seconds):
        try:
            outcome, consulted, observed = receiver.recv()
            process.join()
            observe.extend(observed)
            outcome.source = result.source
            if index is not None and consulted is not None:
                _merge_consulted(index, *consulted)
            return outcome  # type: ignore[no-any-return]
        except EOFError:
            # The pipe closes while the child dies, a moment before it can be reaped:
            # without waiting, a crash would pass for a time-out.
            process.join(seconds)
    observe.volatile()
    if process.is_alive():
        process.kill()
        message = f"LibCST's parser did not finish in {seconds:.0f} s on this file; not analysed"
    else:
        message = "LibCST's parser crashed on this file (an expression chained or nested too deeply); not analysed"
    process.join()
    result.errors.append(FileError(display_path, message))
    return result


def _merge_consulted(
    index: "ProjectIndex",
    recorded: "tuple[dict[str, str], dict[str, str | None]] | None",
    summaries: dict[str, Any],
) -> None:
    """What a child's rules read of the project, recorded in this process as if read here."""
    if recorded is not None and index.recorder is not None:
        index.recorder.dependencies.update(recorded[0])
        index.recorder.lookups.update(recorded[1])
    for key, value in summaries.items():
        index.new_summaries.setdefault(key, value)


def _syntax_diagnostic(problem: SyntaxProblem, display_path: str) -> Diagnostic:
    return Diagnostic(
        SYNTAX_ERROR_CODE,
        SYNTAX_ERROR_NAME,
        f"SyntaxError: {problem.message}",
        display_path,
        problem.line,
        problem.column,
        problem.line,
        problem.column,
    )


def quick_syntax_check(text: str, display_path: str) -> SyntaxProblem | None:
    try:
        # The linted code's warnings (``1if x else y``, ``"\\d"``) are not the linter's to
        # print, and under ``-W error`` they would pass for syntax errors.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, display_path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        return SyntaxProblem(error.msg, error.lineno or 1, error.offset or 1)
    except (RecursionError, MemoryError):
        return SyntaxProblem("code nested too deeply to parse", 1, 1)
    except ValueError as error:
        return SyntaxProblem(str(error), 1, 1)
    return None


def _run_rules(
    path: Path,
    display_path: str,
    text: str,
    tree: "cst.Module",
    active: Sequence[ActiveRule],
    index: "ProjectIndex",
    result: FileResult,
) -> list[Diagnostic]:
    import libcst as cst

    from fastapi_lint.linter.context import FileContext
    from fastapi_lint.linter.walk import Walker

    module_name, is_package = index.module_name(path)
    context = FileContext(path, display_path, text, tree, module_name, is_package, index)
    failed: set[str] = set()

    def guard(rule: "Rule", method: Callable[[Any], None]) -> Callable[[Any], None]:
        def call(node: Any) -> None:
            if rule.code in failed:
                return
            try:
                method(node)
            except Exception as error:  # a bug in a rule must not stop the others
                failed.add(rule.code)
                result.internal_errors.append(InternalError(display_path, rule.code, _describe(error)))

        return call

    visit: dict[type, list[Callable[[Any], None]]] = {}
    leave: dict[type, list[Callable[[Any], None]]] = {}
    for active_rule in active:
        rule = active_rule.rule(context, active_rule.settings)
        for attribute in dir(type(rule)):
            prefix, _, node_name = attribute.partition("_")
            if prefix not in ("visit", "leave") or not node_name:
                continue
            node_type = getattr(cst, node_name, None)
            if not isinstance(node_type, type):
                continue
            table = visit if prefix == "visit" else leave
            table.setdefault(node_type, []).append(guard(rule, getattr(rule, attribute)))

    _allow_deep_trees()
    walker = Walker(context.module_scope, module_name, is_package, visit, leave)
    context.walker = walker
    try:
        try:
            walker.walk(tree)
        except RecursionError:
            result.errors.append(FileError(display_path, "code nested too deeply to analyse"))
            return []
        diagnostics = context.diagnostics()
    finally:
        # The context, the walker's handlers and the rules refer to each other: without
        # this, the file's tree would live on until the cyclic garbage collector runs
        # (millions of objects for a project, scanned again at every collection).
        context.walker = None
        context._reports.clear()
        visit.clear()
        leave.clear()
    return [diagnostic for diagnostic in diagnostics if diagnostic.code not in failed]


# Long chains such as implicitly concatenated strings nest one node per part; the
# traversal and LibCST's code generator recurse once per level.
_RECURSION_LIMIT = 10_000


def _allow_deep_trees() -> None:
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)


def _describe(error: BaseException) -> str:
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    where = f" ({Path(frame.filename).name}:{frame.lineno})" if frame else ""
    return f"{type(error).__name__}: {error}{where}"
