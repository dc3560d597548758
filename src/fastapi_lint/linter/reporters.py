"""Rendering a run's findings: text for people, JSON for tools."""

from __future__ import annotations

import json
from collections import Counter
from typing import Callable

from fastapi_lint.linter.diagnostics import Diagnostic
from fastapi_lint.linter.engine import RunResult

Style = Callable[..., str]


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


def render_text(result: RunResult, *, fixing: bool, unsafe_fixes: bool, style: Style = _plain) -> str:
    lines = []
    for diagnostic in result.diagnostics:
        where = style(f"{diagnostic.path}:{diagnostic.line}:{diagnostic.column}:", bold=True)
        code = style(diagnostic.code, fg="red", bold=True)
        lines.append(f"{where} {code} {diagnostic.message}")
        hint = fix_hint(diagnostic, unsafe_fixes)
        if hint:
            lines.append(style(f"    {hint}", fg="cyan"))
    lines.append(summary_line(result, fixing=fixing, unsafe_fixes=unsafe_fixes))
    return "\n".join(lines)


def summary_line(result: RunResult, *, fixing: bool, unsafe_fixes: bool) -> str:
    remaining = len(result.diagnostics)
    if fixing and result.fixed:
        total = remaining + result.fixed
        return f"Found {_plural(total, 'error')} ({result.fixed} fixed, {remaining} remaining)."
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


def render(result: RunResult, output_format: str, *, fixing: bool, unsafe_fixes: bool, color: bool) -> str:
    """The report in one of the CLI's output formats."""
    style: Style = _styled if color else _plain
    if output_format in ("full", "concise", "text"):
        return render_text(result, fixing=fixing, unsafe_fixes=unsafe_fixes, style=style)
    if output_format == "json":
        return render_json(result)
    raise NotImplementedError(output_format)


def _styled(text: str, **styles: object) -> str:
    import click

    return click.style(text, **styles)  # type: ignore[arg-type]


def render_json(result: RunResult) -> str:
    return json.dumps([diagnostic.to_json() for diagnostic in result.diagnostics], indent=2)
