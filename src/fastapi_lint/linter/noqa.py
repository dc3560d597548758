"""Suppression comments, kept honest.

- ``# noqa`` / ``# noqa: FAPI201, E501`` in a comment silences findings on its line;
- ``# fastapi-lint: noqa`` / ``# fastapi-lint: noqa: FAPI201`` on a line of its own,
  anywhere in the file (as ruff's ``# ruff: noqa``), silences the whole file;
- FAPI100 reports the ``FAPI`` codes of a ``# noqa`` that silence nothing, with a fix;
- ``add_noqa`` writes the comments that silence the current findings (``--add-noqa``).

Only real comments count. A file that mentions ``noqa`` at all is tokenized with the
standard library's tokenizer (files that no rule needed are never parsed by LibCST,
and comments are all this needs), so a ``"# noqa"`` inside a string literal neither
silences a finding nor is reported as unused. A file without the word costs one
substring search.

The comment that speaks for a line is on that line, or, for a line inside a
multi-line string or a backslash continuation, on the line where that ends (where a
comment can be written), as ruff does.
"""

from __future__ import annotations

import bisect
import io
import re
import tokenize
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from fastapi_lint.linter.diagnostics import Diagnostic, Edit, Fix

UNUSED_NOQA_CODE = "FAPI100"
UNUSED_NOQA_NAME = "unused-noqa"
# Codes with this prefix are ours; the other codes of a noqa belong to other tools.
OWN_PREFIX = "FAPI"
# A syntax error is reported by the engine before any comment is read.
_SYNTAX_ERROR_CODE = "FAPI000"

_CODE = r"[A-Z]+[0-9]+"
# Codes are separated by commas or spaces (as ruff reads them); free text may follow.
_CODE_LIST = rf"{_CODE}(?:(?:\s*,\s*|\s+){_CODE})*"
LINE_NOQA = re.compile(rf"#\s*noqa\b(?::\s*(?P<codes>{_CODE_LIST}))?", re.IGNORECASE)
# ``# fastapi-lint: noqa:`` followed by no code is a mistake, not "every code": it is ignored.
FILE_NOQA = re.compile(rf"#\s*fastapi-lint\s*:\s*noqa\b(?P<colon>\s*:\s*(?P<codes>{_CODE_LIST})?)?", re.IGNORECASE)
_ONE_CODE = re.compile(_CODE, re.IGNORECASE)
_MENTIONS_NOQA = re.compile("noqa", re.IGNORECASE)


def mentions_noqa(text: str) -> bool:
    return _MENTIONS_NOQA.search(text) is not None


def noqa_codes(line: str) -> frozenset[str] | None:
    """The codes of the noqa in one line of text: None when there is none, empty for a bare ``# noqa``."""
    match = LINE_NOQA.search(line)
    if match is None:
        return None
    return frozenset(code.upper() for code in _ONE_CODE.findall(match.group("codes") or ""))


# -- reading the comments of a file --------------------------------------------------


@dataclass(frozen=True)
class Directive:
    """A ``# noqa`` inside a comment. Columns are 0-based offsets into ``text``, its line."""

    line: int
    # The physical line without its ``\\n`` (a ``\\r`` of CRLF stays).
    text: str
    last_line: bool
    comment_start: int
    comment_end: int
    start: int
    end: int
    # As written; empty for a bare ``# noqa``.
    codes: tuple[str, ...]
    codes_start: int
    codes_end: int

    @property
    def names(self) -> frozenset[str]:
        return frozenset(code.upper() for code in self.codes)

    def covers(self, code: str) -> bool:
        return not self.codes or code in self.names


@dataclass(frozen=True)
class Comments:
    """The suppression comments of one file."""

    directives: Mapping[int, Directive] = field(default_factory=dict)
    file_all: bool = False
    file_codes: frozenset[str] = frozenset()
    # The sorted lines a trailing comment can be written on; None: every line.
    comment_lines: tuple[int, ...] | None = None
    # Read from tokens; False when the file could not be tokenized and was read line by
    # line (a "# noqa" in a string then counts): unused noqa are not reported from that.
    exact: bool = True

    def target(self, line: int) -> int:
        """The line whose comment speaks for ``line``."""
        if self.comment_lines is None:
            return line
        index = bisect.bisect_left(self.comment_lines, line)
        return self.comment_lines[index] if index < len(self.comment_lines) else line

    def directive_for(self, line: int) -> Directive | None:
        return self.directives.get(self.target(line))

    def file_covers(self, code: str) -> bool:
        return self.file_all or code in self.file_codes


def read_comments(text: str, *, always: bool = False) -> Comments:
    """The file's noqa comments; without ``always``, a file that never says noqa is not tokenized."""
    if not always and not mentions_noqa(text):
        return Comments()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return _read_lines(text)
    lines = text.split("\n")
    directives: dict[int, Directive] = {}
    file_all = False
    file_codes: set[str] = set()
    ends: set[int] = set()
    for token in tokens:
        if token.type in (tokenize.NEWLINE, tokenize.NL):
            ends.add(token.start[0])
        elif token.type == tokenize.COMMENT:
            row, column = token.start
            ends.add(row)
            line = lines[row - 1]
            if not line[:column].strip():
                scope = _file_scope(token.string)
                if scope is not None:
                    file_all = file_all or not scope
                    file_codes.update(scope)
                    continue
            directive = _directive(row, line, row == len(lines), column, token.string)
            if directive is not None:
                directives[row] = directive
    return Comments(directives, file_all, frozenset(file_codes), tuple(sorted(ends)))


def _read_lines(text: str) -> Comments:
    """The fallback for text the tokenizer rejects: each line read on its own."""
    lines = text.split("\n")
    directives: dict[int, Directive] = {}
    file_all = False
    file_codes: set[str] = set()
    for row, line in enumerate(lines, start=1):
        if "noqa" not in line.lower():
            continue
        stripped = line.lstrip()
        scope = _file_scope(stripped) if stripped.startswith("#") else None
        if scope is not None:
            file_all = file_all or not scope
            file_codes.update(scope)
            continue
        start = line.find("#")
        directive = _directive(row, line, row == len(lines), start, line[start:].rstrip("\r")) if start >= 0 else None
        if directive is not None:
            directives[row] = directive
    return Comments(directives, file_all, frozenset(file_codes), None, exact=False)


def _file_scope(comment: str) -> frozenset[str] | None:
    """For a ``# fastapi-lint: noqa`` comment, the codes it silences (empty: all); else None."""
    match = FILE_NOQA.match(comment)
    if match is None:
        return None
    if match.group("colon") is None:
        return frozenset()
    codes = match.group("codes")
    return frozenset(code.upper() for code in _ONE_CODE.findall(codes)) if codes else None


def _directive(row: int, line: str, last_line: bool, column: int, comment: str) -> Directive | None:
    match = LINE_NOQA.search(comment)
    if match is None:
        return None
    codes = match.group("codes")
    codes_start, codes_end = match.span("codes") if codes else (match.end(), match.end())
    return Directive(
        line=row,
        text=line,
        last_line=last_line,
        comment_start=column,
        comment_end=column + len(comment),
        start=column + match.start(),
        end=column + match.end(),
        codes=tuple(_ONE_CODE.findall(codes)) if codes else (),
        codes_start=column + codes_start,
        codes_end=column + codes_end,
    )


# -- silencing and FAPI100 -------------------------------------------------------------


@dataclass(frozen=True)
class NoqaPolicy:
    """What a file's noqa comments are judged against, to report those that silence nothing."""

    # Every code of this tool.
    known: frozenset[str]
    # The codes selected and not ignored for this file: a noqa for another code is not judged.
    enabled: frozenset[str]
    # Codes of project-level rules (FAPI101): their findings do not go through ``suppress``.
    project_codes: frozenset[str] = frozenset()
    # Whether a project-level rule reports this file; without it, their noqa are kept.
    project_reports: Callable[[str], bool] | None = None

    @property
    def reports_unused(self) -> bool:
        return UNUSED_NOQA_CODE in self.enabled

    def without(self, codes: Iterable[str]) -> "NoqaPolicy":
        """The same, with ``codes`` not judged (a rule that failed proves nothing)."""
        return replace(self, enabled=self.enabled - frozenset(codes))

    def verdict(self, code: str, silenced_something: bool) -> str | None:
        """``"unused"`` or ``"unknown"`` for a code that silences nothing; None to keep it."""
        if silenced_something or not code.startswith(OWN_PREFIX) or code == UNUSED_NOQA_CODE:
            return None
        if code not in self.known:
            return "unknown"
        if code not in self.enabled:
            return None
        if code in self.project_codes:
            return None if self.project_reports is None or self.project_reports(code) else "unused"
        return "unused"


def suppress(
    diagnostics: Sequence[Diagnostic], text: str, path: str, policy: NoqaPolicy | None = None
) -> list[Diagnostic]:
    """The findings that no comment silences, and (with a policy enabling FAPI100) the unused noqa.

    A line's noqa is consulted before the file-level comment, so that it counts as used
    for as long as its finding exists.
    """
    reports_unused = policy is not None and policy.reports_unused
    if not (diagnostics or reports_unused) or not mentions_noqa(text):
        return list(diagnostics)
    comments = read_comments(text)
    used: dict[int, set[str]] = {}
    kept = [diagnostic for diagnostic in diagnostics if not _silenced_on_line(diagnostic, comments, used)]
    if policy is not None and reports_unused and comments.exact:
        unused = _unused_noqa(comments, used, path, policy)
        kept.extend(diagnostic for diagnostic in unused if not _silenced_on_line(diagnostic, comments, used))
    return [diagnostic for diagnostic in kept if not comments.file_covers(diagnostic.code)]


def _silenced_on_line(diagnostic: Diagnostic, comments: Comments, used: dict[int, set[str]]) -> bool:
    directive = comments.directive_for(diagnostic.line)
    if directive is None or not directive.covers(diagnostic.code):
        return False
    used.setdefault(directive.line, set()).add(diagnostic.code)
    return True


def file_silences(text: str, code: str, line: int = 1) -> bool:
    """Whether the file silences project-level finding ``code`` reported at ``line``: a noqa
    naming the code anywhere, any noqa on that line, or the file-level comment."""
    if not mentions_noqa(text):
        return False
    comments = read_comments(text)
    directive = comments.directive_for(line)
    return (
        comments.file_covers(code)
        or (directive is not None and directive.covers(code))
        or any(code in directive.names for directive in comments.directives.values())
    )


def _unused_noqa(comments: Comments, used: dict[int, set[str]], path: str, policy: NoqaPolicy) -> Iterator[Diagnostic]:
    for directive in comments.directives.values():
        verdicts: dict[str, list[str]] = {"unused": [], "unknown": []}
        for code in dict.fromkeys(written.upper() for written in directive.codes):
            verdict = policy.verdict(code, code in used.get(directive.line, ()))
            if verdict is not None:
                verdicts[verdict].append(code)
        if verdicts["unused"] or verdicts["unknown"]:
            yield _unused_diagnostic(directive, verdicts, path)


def _unused_diagnostic(directive: Directive, verdicts: dict[str, list[str]], path: str) -> Diagnostic:
    named = "; ".join(f"{verdict}: {', '.join(codes)}" for verdict, codes in verdicts.items() if codes)
    dropped = [code for codes in verdicts.values() for code in codes]
    edit, fix_message = _drop_codes(directive, dropped, path)
    return Diagnostic(
        UNUSED_NOQA_CODE,
        UNUSED_NOQA_NAME,
        f"Unused `noqa` directive ({named})",
        path,
        directive.line,
        directive.start + 1,
        directive.line,
        directive.end + 1,
        Fix("safe", fix_message, (edit,)),
    )


def _drop_codes(directive: Directive, dropped: list[str], path: str) -> tuple[Edit, str]:
    """The edit that takes ``dropped`` out of the directive, and the directive out when nothing is left.

    Never leaves a bare ``# noqa`` (that would silence everything), and keeps what the
    comment says besides the directive.
    """
    line, text = directive.line, directive.text
    kept = [code for code in directive.codes if code.upper() not in dropped]
    if kept:
        edit = Edit(path, line, directive.codes_start + 1, line, directive.codes_end + 1, ", ".join(kept))
        return edit, f"Remove {', '.join(dropped)} from the `noqa` directive"
    before = text[directive.comment_start : directive.start].rstrip()
    after = text[directive.end : directive.comment_end].strip()
    if before or after:
        rest = f"# {after}" if after and not after.startswith("#") else after
        new = f"{before}  {rest}" if before and rest else before or rest
        return Edit(path, line, directive.comment_start + 1, line, directive.comment_end + 1, new), "Remove the unused `noqa` directive"
    code_end = len(text[: directive.comment_start].rstrip())
    if code_end:
        return Edit(path, line, code_end + 1, line, directive.comment_end + 1, ""), "Remove the unused `noqa` comment"
    # A comment line of its own: the line goes with it.
    if directive.last_line:
        return Edit(path, line, 1, line, len(text) + 1, ""), "Remove the unused `noqa` comment"
    return Edit(path, line, 1, line + 1, 1, ""), "Remove the unused `noqa` comment"


# -- --add-noqa ----------------------------------------------------------------------------


@dataclass
class NoqaAddition:
    text: str
    # Comments written or extended, one per line.
    added: int = 0
    # Findings that no comment can silence (left reported), and why, for the user.
    left: list[Diagnostic] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def add_noqa(text: str, diagnostics: Sequence[Diagnostic]) -> NoqaAddition:
    """Write the ``# noqa: CODE`` comments that silence ``diagnostics`` (all of one file).

    Codes join an existing noqa on the line (``# noqa: E501`` -> ``# noqa: E501, FAPI201``);
    a bare ``# noqa`` already covers them. Line endings and everything else stay as they are.
    """
    result = NoqaAddition(text)
    if any(diagnostic.code == _SYNTAX_ERROR_CODE for diagnostic in diagnostics):
        result.left.extend(diagnostics)
        result.problems.append("has a syntax error, which no comment can silence; no noqa comment added")
        return result
    comments = read_comments(text, always=True)
    if not comments.exact:
        result.left.extend(diagnostics)
        result.problems.append("cannot be tokenized; no noqa comment added")
        return result
    wanted: dict[int, list[str]] = {}
    for diagnostic in diagnostics:
        if diagnostic.code == UNUSED_NOQA_CODE:
            # An unused noqa is to be removed (``--fix``), not silenced by another one.
            result.left.append(diagnostic)
            continue
        codes = wanted.setdefault(comments.target(diagnostic.line), [])
        if diagnostic.code not in codes:
            codes.append(diagnostic.code)
    lines = text.split("\n")
    carriage = "\r" if "\r\n" in text else ""
    for row, codes in sorted(wanted.items()):
        if row > len(lines):
            result.left.extend(diagnostic for diagnostic in diagnostics if comments.target(diagnostic.line) == row)
            continue
        line = lines[row - 1]
        body, ending = (line[:-1], "\r") if line.endswith("\r") else (line, "")
        new = _with_noqa(body, comments.directives.get(row), codes)
        if new is None:
            continue
        if row == len(lines) and not body and text:
            # After the final newline: the comment becomes a last line of its own.
            lines.append("")
            ending = carriage
        lines[row - 1] = new + ending
        result.added += 1
    result.text = "\n".join(lines)
    if not text and result.added:
        result.text += "\n"
    return result


def _with_noqa(body: str, directive: Directive | None, codes: list[str]) -> str | None:
    """The line with ``codes`` in its noqa comment, or None when it already silences them."""
    if directive is not None:
        new = sorted(code for code in codes if not directive.covers(code))
        if not new:
            return None
        return f"{body[: directive.codes_end]}, {', '.join(new)}{body[directive.codes_end :]}"
    comment = f"# noqa: {', '.join(sorted(codes))}"
    if not body.strip():
        return body + comment
    return f"{body.rstrip()}  {comment}"
