"""JUnit XML, the test-report format every CI server reads: a failing test case per finding."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

from fastapi_lint.linter.engine import RunResult

TOOL = "fastapi-lint"

# Characters XML 1.0 cannot carry even escaped; ElementTree would write them as they are.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


@dataclass(frozen=True)
class _Case:
    name: str
    outcome: str  # "failure" or "error"
    kind: str
    message: str
    details: str
    line: int | None = None


def _classname(path: str) -> str:
    """``app/db/session.py`` -> ``app.db.session``: the package/class grouping CI servers display."""
    stem = path[: -len(".py")] if path.endswith(".py") else path
    return stem.strip("/").replace("/", ".") or path


def _cases_by_path(result: RunResult) -> dict[str, list[_Case]]:
    cases: dict[str, list[_Case]] = {}
    for d in result.diagnostics:
        details = f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}"
        case = _Case(f"{d.code} {d.name} ({d.line}:{d.column})", "failure", d.code, d.message, details, d.line)
        cases.setdefault(d.path, []).append(case)
    for error in result.errors:
        case = _Case("lint", "error", "FileError", error.message, f"{error.path}: {error.message}")
        cases.setdefault(error.path, []).append(case)
    for internal in result.internal_errors:
        message = f"internal error in rule {internal.rule}: {internal.message}"
        cases.setdefault(internal.path, []).append(_Case(f"rule {internal.rule}", "error", "InternalError", message, message))
    return cases


def _suite(parent: ET.Element, path: str, cases: list[_Case]) -> None:
    import xml.etree.ElementTree as ET  # only when JUnit is asked for: costly to import

    failures = sum(1 for case in cases if case.outcome == "failure")
    suite = ET.SubElement(
        parent,
        "testsuite",
        name=_clean(path),
        tests=str(len(cases)),
        failures=str(failures),
        errors=str(len(cases) - failures),
        skipped="0",
    )
    for case in cases:
        attributes = {"name": _clean(case.name), "classname": _clean(_classname(path)), "file": _clean(path)}
        if case.line is not None:
            attributes["line"] = str(case.line)
        element = ET.SubElement(suite, "testcase", attributes)
        outcome = ET.SubElement(element, case.outcome, message=_clean(case.message), type=case.kind)
        outcome.text = _clean(case.details)


def _passing_suite(parent: ET.Element) -> None:
    import xml.etree.ElementTree as ET  # only when JUnit is asked for: costly to import

    # An empty report reads as "no tests ran" on some CI servers. The name stays the same
    # from run to run, since CI servers track a test case's history by name.
    suite = ET.SubElement(parent, "testsuite", name=TOOL, tests="1", failures="0", errors="0", skipped="0")
    ET.SubElement(suite, "testcase", name="all checks passed", classname=TOOL)


def render_junit(result: RunResult) -> str:
    """One test suite per file with findings, or one passing test case when there is nothing to report."""
    import xml.etree.ElementTree as ET  # only when JUnit is asked for: costly to import

    root = ET.Element("testsuites", name=TOOL)
    by_path = _cases_by_path(result)
    for path, cases in by_path.items():
        _suite(root, path, cases)
    if not by_path:
        _passing_suite(root)
    errors = len(result.errors) + len(result.internal_errors)
    root.set("tests", str(sum(len(cases) for cases in by_path.values()) or 1))
    root.set("failures", str(len(result.diagnostics)))
    root.set("errors", str(errors))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
