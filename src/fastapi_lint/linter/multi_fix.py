"""Applying fixes that touch several files: edits in other modules, created files, moves.

They are applied once every file of the run has been linted, all together: each fix's
edits are taken whole or not at all, every resulting Python file must parse before
anything is written, and a fix whose files changed since they were read is left for
the next pass.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from fastapi_lint.linter.diagnostics import Diagnostic, Edit, FileError, Fix
from fastapi_lint.linter.fixes import WriteError, _line_starts, _offset, _overlaps, apply_edits, write_atomically
from fastapi_lint.linter.source import SourceError, SourceFile, SyntaxProblem, parse_module, read_source


@dataclass
class MultiFileOutcome:
    fixed: int = 0
    # The fixes taken, by the finding's path (for counting per file).
    fixed_by_path: dict[str, int] = field(default_factory=dict)
    # Unified diffs by shown path (the new path for a move), when not writing.
    diffs: dict[str, str] = field(default_factory=dict)
    errors: list[FileError] = field(default_factory=list)
    # Files moved: shown source -> shown target.
    moved: dict[str, str] = field(default_factory=dict)


@dataclass
class _Plan:
    """The files a set of fixes changes: their texts before and after."""

    sources: dict[str, SourceFile] = field(default_factory=dict)
    edits: dict[str, list[Edit]] = field(default_factory=dict)
    # Per file: the (start, end, content, finding's file) of every text edit taken.
    spans: dict[str, list[tuple[int, int, str, str]]] = field(default_factory=dict)
    creates: dict[str, str] = field(default_factory=dict)
    moves: dict[str, str] = field(default_factory=dict)  # source -> target
    fixes: list[Diagnostic] = field(default_factory=list)


def apply_multi_file_fixes(
    diagnostics: Sequence[Diagnostic],
    resolve: Callable[[str], Path],
    write: bool,
    unchanged: Callable[[str], bool] = lambda shown: True,
) -> MultiFileOutcome:
    """Apply ``diagnostics``' fixes (already filtered by applicability) across files.

    ``resolve`` turns a shown path into a file; ``unchanged(shown)`` says whether a file
    still has the text its findings were computed against (a local fix written in the
    same pass makes another file's edits stale). With ``write`` false, diffs are made
    instead of writing.
    """
    outcome = MultiFileOutcome()
    candidates = [d for d in sorted(diagnostics, key=lambda d: d.sort_key) if d.fix is not None]
    rejected: set[int] = set()
    while True:
        plan = _choose(candidates, rejected, resolve, unchanged)
        new_texts, broken = _render(plan)
        if not broken:
            break
        for position, diagnostic in enumerate(candidates):
            assert diagnostic.fix is not None
            if broken & set(diagnostic.fix.paths()):
                rejected.add(position)
        for shown in sorted(broken):
            outcome.errors.append(FileError(shown, "a multi-file fix produced code that does not parse; not applied"))
    if not plan.fixes:
        return outcome
    for diagnostic in plan.fixes:
        outcome.fixed += 1
        outcome.fixed_by_path[diagnostic.path] = outcome.fixed_by_path.get(diagnostic.path, 0) + 1
    if not write:
        outcome.diffs = _diffs(plan, new_texts)
        return outcome
    _write(plan, new_texts, resolve, outcome)
    return outcome


def _choose(
    candidates: Sequence[Diagnostic],
    rejected: set[int],
    resolve: Callable[[str], Path],
    unchanged: Callable[[str], bool],
) -> _Plan:
    plan = _Plan()
    for position, diagnostic in enumerate(candidates):
        if position in rejected:
            continue
        fix = diagnostic.fix
        assert fix is not None
        if _fits(fix, diagnostic.path, plan, resolve, unchanged):
            plan.fixes.append(diagnostic)
    return plan


def _fits(fix: Fix, own_path: str, plan: _Plan, resolve: Callable[[str], Path], unchanged: Callable[[str], bool]) -> bool:
    """Add ``fix`` to ``plan`` when it clashes with nothing taken and its files are as read."""
    spans: dict[str, list[tuple[int, int, str, str]]] = {}
    creates: dict[str, str] = {}
    moves: dict[str, str] = {}
    for edit in fix.edits:
        if edit.kind == "create":
            if edit.path in plan.creates or edit.path in creates or edit.path in plan.moves.values():
                return False
            if os.path.lexists(resolve(edit.path)):
                return False
            creates[edit.path] = edit.content
        elif edit.kind == "move":
            assert edit.source is not None
            taken_targets = {*plan.moves.values(), *plan.creates, *moves.values()}
            if edit.source in plan.moves or edit.source in moves or edit.path in taken_targets:
                return False
            if os.path.lexists(resolve(edit.path)) or not resolve(edit.source).is_file():
                return False
            moves[edit.source] = edit.path
        else:
            if edit.path != own_path and not unchanged(edit.path):
                return False
            source = plan.sources.get(edit.path)
            if source is None:
                try:
                    source = read_source(resolve(edit.path))
                except (SourceError, OSError):
                    return False
                plan.sources[edit.path] = source
            starts = _line_starts(source.text)
            if edit.end_line > len(starts) or edit.line > len(starts):
                return False
            span = (_offset(starts, edit.line, edit.column), _offset(starts, edit.end_line, edit.end_column), edit.content, own_path)
            if span[1] > len(source.text) or span[0] > span[1]:
                return False
            spans.setdefault(edit.path, []).append(span)
    for path, new_spans in spans.items():
        taken = plan.spans.get(path, [])
        if any(_clash(a, b) for a in new_spans for b in taken):
            return False
        if any(_clash(a, b) for i, a in enumerate(new_spans) for b in new_spans[i + 1 :]):
            return False
    for path, new_spans in spans.items():
        plan.spans.setdefault(path, []).extend(new_spans)
    for edit in fix.edits:
        if edit.kind == "replace":
            plan.edits.setdefault(edit.path, []).append(edit)
    plan.creates.update(creates)
    plan.moves.update(moves)
    return True


def _clash(a: tuple[int, int, str, str], b: tuple[int, int, str, str]) -> bool:
    """Whether two edits of one file cannot both be made in one pass.

    Insertions of different text at one point by fixes of findings in different files
    can: one after the other (two modules' reads adding two fields to one settings
    class). Otherwise the second waits for the next pass, where it is computed anew:
    fixes of one file were each computed without the other (each keeps `import os`
    for the other's read), and the same insertion twice would be made twice.
    """
    if a[0] == a[1] == b[0] == b[1]:
        return a[2] == b[2] or a[3] == b[3]
    return _overlaps((a[0], a[1]), (b[0], b[1]))


def _render(plan: _Plan) -> tuple[dict[str, str], set[str]]:
    """The new text of every edited or created file, and the Python files that no longer parse."""
    texts: dict[str, str] = {}
    for path, edits in plan.edits.items():
        texts[path], _ = apply_edits(plan.sources[path].text, edits)
    texts.update(plan.creates)
    broken = set()
    for path, text in texts.items():
        final = plan.moves.get(path, path)
        if final.endswith((".py", ".pyi")) and isinstance(parse_module(text), SyntaxProblem):
            broken.add(path)
    return texts, broken


def _diffs(plan: _Plan, texts: dict[str, str]) -> dict[str, str]:
    diffs: dict[str, str] = {}
    for path in sorted({*texts, *plan.moves}):
        if path in plan.creates:
            diffs[path] = created(path) + diff_texts("", texts[path], "/dev/null", f"b/{path}")
            continue
        before = plan.sources[path].text if path in plan.sources else None
        target = plan.moves.get(path, path)
        header = renamed(path, target) if target != path else changed(path)
        if before is None or path not in texts:
            diffs[target] = header
            continue
        diffs[target] = header + diff_texts(before, texts[path], f"a/{path}", f"b/{target}")
    return diffs


# git's extended headers, so that `git apply` takes creations and renames from the diff.
def changed(path: str) -> str:
    return f"diff --git a/{path} b/{path}\n"


def created(path: str) -> str:
    return f"diff --git a/{path} b/{path}\nnew file mode 100644\n"


def renamed(source: str, target: str) -> str:
    return f"diff --git a/{source} b/{target}\nrename from {source}\nrename to {target}\n"


def diff_texts(before: str, after: str, fromfile: str, tofile: str) -> str:
    """A unified diff that ends with a line break, marking a last line that has none as git does."""
    import difflib

    return "".join(difflib.unified_diff(_lines(before), _lines(after), fromfile=fromfile, tofile=tofile))


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def _write(plan: _Plan, texts: dict[str, str], resolve: Callable[[str], Path], outcome: MultiFileOutcome) -> None:
    for path, text in texts.items():
        if path in plan.creates:
            continue
        source = plan.sources[path]
        try:
            write_atomically(resolve(path), text, source.encoding, source.raw)
        except (WriteError, OSError) as error:
            outcome.errors.append(FileError(path, f"fix not written: {error}"))
    for path, content in plan.creates.items():
        try:
            _create(resolve(path), content)
        except OSError as error:
            outcome.errors.append(FileError(path, f"file not created: {error.strerror or error}"))
    for source, target in plan.moves.items():
        try:
            move(resolve(source), resolve(target))
            outcome.moved[source] = target
        except OSError as error:
            outcome.errors.append(FileError(source, f"not moved to {target}: {error.strerror or error}"))


def _create(path: Path, content: str) -> None:
    """Create a new file (never overwriting one) with its content written in one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # imported when writing: a run that writes nothing does not need it

    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".fapi-tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        try:
            os.link(temporary, path)  # fails if the path appeared meanwhile
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            with open(path, "xb") as handle:
                handle.write(content.encode("utf-8"))
    finally:
        os.unlink(temporary)


def move(source: Path, target: Path) -> None:
    """Move a file, with ``git mv`` when both ends are in a git work tree (history follows)."""
    import shutil
    import subprocess

    if target.exists():
        raise FileExistsError(f"{target} exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    if _tracked_by_git(source):
        completed = subprocess.run(
            ["git", "mv", "--", source.name, os.path.relpath(target, source.parent)],
            cwd=source.parent,
            capture_output=True,
            text=True,
        )
        if completed.returncode == 0:
            return
    shutil.move(str(source), str(target))


def _tracked_by_git(path: Path) -> bool:
    import shutil
    import subprocess

    if shutil.which("git") is None:
        return False
    completed = subprocess.run(
        ["git", "ls-files", "--error-unmatch", "--", path.name],
        cwd=path.parent,
        capture_output=True,
    )
    return completed.returncode == 0


def touched_paths(diagnostics: Iterable[Diagnostic]) -> set[str]:
    paths: set[str] = set()
    for diagnostic in diagnostics:
        if diagnostic.fix is not None:
            paths.update(diagnostic.fix.paths())
    return paths
