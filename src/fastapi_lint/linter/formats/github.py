"""GitHub Actions workflow commands: one ``::error`` annotation per finding."""

from __future__ import annotations

from fastapi_lint.linter.diagnostics import Diagnostic


def escape_data(text: str) -> str:
    """Escape a command's message, as GitHub's toolkit does (``%``, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value; ``:`` and ``,`` would end it."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(diagnostic: Diagnostic, hint: str | None) -> str:
    properties = {
        "title": diagnostic.code,
        "file": diagnostic.path,
        "line": diagnostic.line,
        "col": diagnostic.column,
        "endLine": max(diagnostic.line, diagnostic.end_line),
        "endColumn": diagnostic.end_column,
    }
    listed = ",".join(f"{name}={escape_property(str(value))}" for name, value in properties.items())
    message = diagnostic.message if hint is None else f"{diagnostic.message}\n{hint}"
    return f"::error {listed}::{escape_data(message)}"
