"""Rendering a run's findings: text for people, JSON and CI formats for tools (in ``formats``)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from fastapi_lint.linter.diagnostics import Diagnostic
from fastapi_lint.linter.engine import RunResult
from fastapi_lint.linter.formats.snippet import Style, render_snippet
from fastapi_lint.linter.formats.sources import SourceLines


def _plain(text: str, **_: object) -> str:
    return text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def fix_hint(diagnostic: Diagnostic, unsafe_fixes: bool) -> str | None:
    fix = diagnostic.fix
    if fix is None:
        return None
    if fix.applicability == "safe":
        return f"fix: {fix.message} (safe: --fix)"
    if unsafe_fixes:
        return f"fix: {fix.message} (unsafe: applied with --fix --unsafe-fixes)"
    return f"fix: {fix.message} (unsafe: --unsafe-fixes)"


def render_text(
    result: RunResult,
    *,
    fixing: bool,
    unsafe_fixes: bool,
    style: Style = _plain,
    full: bool = False,
    sources: SourceLines | None = None,
) -> str:
    """``path:line:col: CODE message`` per finding; ``full`` quotes the source lines under each."""
    sources = sources or SourceLines()
    lines = []
    for diagnostic in result.diagnostics:
        where = style(f"{diagnostic.path}:{diagnostic.line}:{diagnostic.column}:", bold=True)
        code = style(diagnostic.code, fg="red", bold=True)
        lines.append(f"{where} {code} {diagnostic.message}")
        hint = fix_hint(diagnostic, unsafe_fixes)
        snippet = render_snippet(diagnostic, sources.lines(diagnostic.path), style, [hint] if hint else []) if full else None
        if snippet is not None:
            lines.extend(snippet)
        elif hint:
            lines.append(style(f"    {hint}", fg="cyan"))
        if full:
            lines.append("")
    lines.append(summary_line(result, fixing=fixing, unsafe_fixes=unsafe_fixes))
    return "\n".join(lines)


def summary_line(result: RunResult, *, fixing: bool, unsafe_fixes: bool) -> str:
    remaining = len(result.diagnostics)
    if fixing and result.fixed:
        total = remaining + result.fixed
        return f"Found {_plural(total, 'error')} ({result.fixed} fixed, {remaining} remaining)."
    if remaining == 0 and result.errors:
        # Not "All checks passed!": a path that could not be read or fixed was not checked.
        return f"No errors found, but {_plural(len(result.errors), 'problem')} above kept files from being checked or fixed."
    if remaining == 0:
        return "All checks passed!"
    safe = sum(1 for d in result.diagnostics if d.fix is not None and d.fix.applicability == "safe")
    unsafe = sum(1 for d in result.diagnostics if d.fix is not None and d.fix.applicability == "unsafe")
    fixable = safe + (unsafe if unsafe_fixes else 0)
    details = []
    if fixable:
        details.append(f"{fixable} fixable with --fix")
    if unsafe and not unsafe_fixes:
        details.append(f"{unsafe} more with --unsafe-fixes")
    suffix = f" ({', '.join(details)})" if details else ""
    return f"Found {_plural(remaining, 'error')}{suffix}."


def render_statistics(result: RunResult) -> str:
    counts = Counter((d.code, d.name) for d in result.diagnostics)
    fixable = {d.code for d in result.diagnostics if d.fix is not None}
    width = max((len(str(count)) for count in counts.values()), default=1)
    rows = [
        f"{count:>{width}}\t{code}\t{'[*] ' if code in fixable else ''}{name}"
        for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    ]
    return "\n".join(rows)


def render(
    result: RunResult, output_format: str, *, fixing: bool, unsafe_fixes: bool, color: bool, cwd: Path | None = None
) -> str:
    """The report in one of the CLI's output formats (``text`` is the old name of ``full``).

    Paths in ``result`` are relative to ``cwd`` (default: the working directory), where
    the formats that quote source lines read the files.
    """
    style: Style = _styled if color else _plain
    sources = SourceLines(cwd)
    if output_format in ("full", "text", "concise"):
        full = output_format != "concise"
        return render_text(result, fixing=fixing, unsafe_fixes=unsafe_fixes, style=style, full=full, sources=sources)
    if output_format == "json":
        return render_json(result)
    if output_format == "json-lines":
        return render_json_lines(result)
    # The machine formats are imported when asked for: a run pays only for its own.
    if output_format == "github":
        from fastapi_lint.linter.formats.github import annotation

        return "\n".join(annotation(diagnostic, fix_hint(diagnostic, unsafe_fixes)) for diagnostic in result.diagnostics)
    if output_format == "gitlab":
        from fastapi_lint.linter.formats.gitlab import render_gitlab

        return render_gitlab(result, sources)
    if output_format == "junit":
        from fastapi_lint.linter.formats.junit import render_junit

        return render_junit(result)
    if output_format == "sarif":
        from fastapi_lint.linter.formats.sarif import render_sarif

        return render_sarif(result, sources)
    raise ValueError(f"unknown output format {output_format!r}")


def _styled(text: str, **styles: object) -> str:
    import click

    return click.style(text, **styles)  # type: ignore[arg-type]


def render_json(result: RunResult) -> str:
    return json.dumps([diagnostic.to_json() for diagnostic in result.diagnostics], indent=2)


def render_json_lines(result: RunResult) -> str:
    """One JSON object per line, the records of ``render_json``: easy to stream and to grep."""
    return "\n".join(json.dumps(diagnostic.to_json()) for diagnostic in result.diagnostics)
