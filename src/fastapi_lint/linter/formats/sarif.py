"""SARIF 2.1.0, the format code-scanning services (GitHub, Azure DevOps, IDEs) read."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import quote

from fastapi_lint import __version__
from fastapi_lint.linter.diagnostics import Diagnostic, Edit, Fix
from fastapi_lint.linter.docs import rule_url
from fastapi_lint.linter.engine import RunResult
from fastapi_lint.linter.formats.fingerprints import stable_fingerprints
from fastapi_lint.linter.formats.sources import SourceLines
from fastapi_lint.rules import DOCUMENTED_RULES

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL = "fastapi-lint"
INFORMATION_URI = "https://github.com/fastapi-lint/fastapi-lint"
SOURCE_ROOT = "%SRCROOT%"
FINGERPRINT_KEY = "fastapiLint/v1"

Json = dict[str, Any]

_SECTION = re.compile(r"^## What it does\s*\n(?P<body>.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)


def _what_it_does(documentation: str) -> str:
    match = _SECTION.search(documentation)
    return (match.group("body") if match else documentation).strip()


def rule_descriptor(rule: Any) -> Json:
    documentation = rule.documentation()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _what_it_does(documentation)},
        "help": {"text": f"{rule.summary}: see {rule_url(rule.code)}", "markdown": documentation},
        "helpUri": rule_url(rule.code),
        "defaultConfiguration": {"level": "error"},
        "properties": {"fix": rule.fix_availability or "none"},
    }


def artifact_location(path: str) -> Json:
    """A reported path as SARIF wants it: a URI, relative ones resolved against the source root."""
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": SOURCE_ROOT}


def region(line: int, column: int, end_line: int, end_column: int) -> Json:
    # SARIF's endColumn is one past the last character, as ours is; an empty region marks a point.
    end_line = max(line, end_line)
    if end_line == line:
        end_column = max(column, end_column)
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _fix(fix: Fix) -> Json:
    by_path: dict[str, list[Edit]] = {}
    for edit in fix.edits:
        by_path.setdefault(edit.path, []).append(edit)
    return {
        "description": {"text": fix.message},
        "artifactChanges": [
            {
                "artifactLocation": artifact_location(path),
                "replacements": [
                    {
                        "deletedRegion": region(edit.line, edit.column, edit.end_line, edit.end_column),
                        "insertedContent": {"text": edit.content},
                    }
                    for edit in edits
                ],
            }
            for path, edits in by_path.items()
        ],
        "properties": {"applicability": fix.applicability},
    }


def _result(diagnostic: Diagnostic, rule_index: dict[str, int], fingerprint: str) -> Json:
    record: Json = {"ruleId": diagnostic.code}
    if diagnostic.code in rule_index:
        record["ruleIndex"] = rule_index[diagnostic.code]
    record.update(
        {
            "level": "error",
            "message": {"text": diagnostic.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact_location(diagnostic.path),
                        "region": region(diagnostic.line, diagnostic.column, diagnostic.end_line, diagnostic.end_column),
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        }
    )
    # SARIF describes text changes only: a fix that moves files is left out.
    if diagnostic.fix is not None and all(edit.kind != "move" for edit in diagnostic.fix.edits):
        record["fixes"] = [_fix(diagnostic.fix)]
    return record


def _invocation(result: RunResult) -> Json:
    """Files that could not be linted and linter bugs, as notifications; a bug makes the run unsuccessful."""
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{error.path}: {error.message}"},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_location(error.path)}}],
        }
        for error in result.errors
    ]
    notifications += [
        {"level": "error", "message": {"text": f"internal error while linting {internal.path} (rule {internal.rule}): {internal.message}"}}
        for internal in result.internal_errors
    ]
    invocation: Json = {"executionSuccessful": not result.internal_errors}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _directory_uri(directory: Path) -> str:
    # A base URI must end with a slash, or relative URIs replace its last segment.
    uri = directory.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def sarif_log(result: RunResult, rules: Sequence[Any], sources: SourceLines) -> Json:
    rule_index = {rule.code: position for position, rule in enumerate(rules)}
    fingerprints = stable_fingerprints(result.diagnostics, sources)
    run: Json = {
        "tool": {
            "driver": {
                "name": TOOL,
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {SOURCE_ROOT: {"uri": _directory_uri(sources.cwd)}},
        # LibCST counts columns in code points, not SARIF's default UTF-16 code units.
        "columnKind": "unicodeCodePoints",
        "invocations": [_invocation(result)],
        "results": [
            _result(diagnostic, rule_index, fingerprint) for diagnostic, fingerprint in zip(result.diagnostics, fingerprints)
        ],
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(result: RunResult, sources: SourceLines) -> str:
    return json.dumps(sarif_log(result, DOCUMENTED_RULES, sources), indent=2)
