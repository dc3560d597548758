"""GitLab Code Quality reports (a subset of the Code Climate issue format)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from fastapi_lint.linter.diagnostics import Diagnostic
from fastapi_lint.linter.engine import RunResult
from fastapi_lint.linter.formats.fingerprints import stable_fingerprints
from fastapi_lint.linter.formats.sources import SourceLines


def project_path(diagnostic: Diagnostic, cwd: Path) -> str:
    """The path relative to the GitLab project (``$CI_PROJECT_DIR``), which GitLab needs to place an issue."""
    root = os.environ.get("CI_PROJECT_DIR")
    if not root:
        return diagnostic.path
    try:
        return (cwd / diagnostic.path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return diagnostic.path


def render_gitlab(result: RunResult, sources: SourceLines) -> str:
    cwd = sources.cwd
    paths = [project_path(diagnostic, cwd) for diagnostic in result.diagnostics]
    fingerprints = stable_fingerprints(result.diagnostics, sources, lambda diagnostic: project_path(diagnostic, cwd))
    issues = [
        {
            "description": f"{diagnostic.code} {diagnostic.message}",
            "check_name": diagnostic.code,
            "fingerprint": fingerprint,
            "severity": "major",
            "location": {
                "path": path,
                "lines": {"begin": diagnostic.line, "end": max(diagnostic.line, diagnostic.end_line)},
            },
        }
        for diagnostic, path, fingerprint in zip(result.diagnostics, paths, fingerprints)
    ]
    return json.dumps(issues, indent=2)
