"""The report formats: text for people, JSON Lines, GitHub, GitLab, JUnit and SARIF for CI servers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from fastapi_lint.linter import reporters
from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.diagnostics import Diagnostic, Edit, FileError, Fix, InternalError
from fastapi_lint.linter.docs import rule_url
from fastapi_lint.linter.engine import Engine, RunResult
from fastapi_lint.linter.fixes import apply_fixes
from fastapi_lint.linter.formats.github import annotation
from fastapi_lint.linter.formats.snippet import render_snippet
from fastapi_lint.rules import DOCUMENTED_RULES
from conftest import write_project

SCRIPT = Path(sys.executable).parent / "fastapi-lint"
SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

DB = """\
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine("sqlite+aiosqlite://")
SessionFactory = async_sessionmaker(engine)
Flipped = async_sessionmaker(engine, expire_on_commit=True)
"""

CONFIG = """\
import os

print(os.getenv("TOKEN"))
print(os.getenv("TOKEN"))
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write_project(tmp_path, {"app/__init__.py": "", "app/db.py": DB, "app/config.py": CONFIG})
    return tmp_path


def lint(root: Path) -> RunResult:
    return Engine(Settings(base_directory=root), cwd=root).run([root])


def render(root: Path, output_format: str, result: RunResult | None = None, **options: Any) -> str:
    settings = {"fixing": False, "unsafe_fixes": False, "color": False, **options}
    return reporters.render(result or lint(root), output_format, cwd=root, **settings)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "fastapi_lint"]
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def diagnostic(line: int, column: int, end_line: int, end_column: int, **fields: Any) -> Diagnostic:
    values = {"code": "FAPI201", "name": "env-read-outside-settings", "message": "msg", "path": "app/m.py", **fields}
    return Diagnostic(values["code"], values["name"], values["message"], values["path"], line, column, end_line, end_column)


# -- concise and full text ----------------------------------------------------


def test_the_run_reports_what_the_tests_rely_on(root: Path) -> None:
    found = [(d.path, d.line, d.code, d.fix.applicability if d.fix else None) for d in lint(root).diagnostics]
    assert found == [
        ("app/config.py", 3, "FAPI201", None),
        ("app/config.py", 4, "FAPI201", None),
        ("app/db.py", 4, "FAPI302", "safe"),
        ("app/db.py", 5, "FAPI302", "unsafe"),
    ]


def test_concise_is_one_line_per_finding_with_fix_hints_and_a_summary(root: Path) -> None:
    lines = render(root, "concise").splitlines()
    assert lines[0].startswith("app/config.py:3:7: FAPI201 Environment variable `TOKEN`")
    assert lines[2].startswith("app/db.py:4:18: FAPI302 ")
    assert lines[3] == "    fix: Add `expire_on_commit=False` (safe: --fix)"
    assert lines[4].startswith("app/db.py:5:38: FAPI302 ")
    assert lines[5] == "    fix: Set `expire_on_commit=False` (unsafe: --unsafe-fixes)"
    assert lines[-1] == "Found 4 errors (1 fixable with --fix, 1 more with --unsafe-fixes)."
    assert not any("async_sessionmaker(engine)" in line for line in lines)


def test_full_quotes_the_source_line_with_carets_under_the_span(root: Path) -> None:
    full = render(root, "full")
    concise = render(root, "concise")
    block = full.split("\n\n")[2].splitlines()
    assert block[0] == concise.splitlines()[2]
    source = "SessionFactory = async_sessionmaker(engine)"
    assert block[1:4] == ["  |", f"4 | {source}", "  | " + " " * source.index("async") + "^" * len("async_sessionmaker(engine)")]
    assert block[4:] == ["  |", "  = fix: Add `expire_on_commit=False` (safe: --fix)"]
    assert full.splitlines()[-1] == concise.splitlines()[-1]


def test_text_is_the_full_format(root: Path) -> None:
    assert render(root, "text") == render(root, "full")


def test_full_without_the_file_keeps_the_finding_and_its_hint(root: Path) -> None:
    result = lint(root)
    (root / "app" / "db.py").unlink()
    lines = render(root, "full", result).splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("app/db.py:4:18: FAPI302 "))
    assert lines[at + 1] == "    fix: Add `expire_on_commit=False` (safe: --fix)"
    assert lines[at + 2] == ""


def test_colour_only_when_asked(root: Path) -> None:
    plain = render(root, "full")
    coloured = render(root, "full", color=True)
    assert not ANSI.search(plain)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain


def test_carets_line_up_under_tabs_and_wide_characters() -> None:
    lines = ["\tname = '名前' + os.getenv('X')"]
    found = diagnostic(1, 16, 1, 30)  # os.getenv('X'), after a tab and two wide characters
    snippet = render_snippet(found, lines, reporters._plain)
    assert snippet is not None
    assert snippet[1] == "1 |     name = '名前' + os.getenv('X')"
    # Four columns for the tab, two for each wide character.
    assert snippet[2] == "  | " + " " * (4 + len("name = '") + 4 + len("' + ")) + "^" * len("os.getenv('X')")


def test_a_multi_line_span_underlines_each_line_and_elides_a_long_middle() -> None:
    lines = ["x = call(", "    a,", "", "    b,", ")"]
    snippet = render_snippet(diagnostic(1, 5, 5, 2), lines, reporters._plain)
    assert snippet == [
        "  |",
        "1 | x = call(",
        "  |     ^^^^^",
        "2 |     a,",
        "  |     ^^",
        "3 |",
        "4 |     b,",
        "  |     ^^",
        "5 | )",
        "  | ^",
        "  |",
    ]
    long = render_snippet(diagnostic(1, 1, 20, 2), [f"line{n}" for n in range(1, 21)], reporters._plain)
    assert long is not None
    assert [line.split(" |")[0].strip() for line in long if "|" in line and line.split(" |")[0].strip()] == [
        "1", "2", "3", "19", "20",
    ]
    assert "..." in long


def test_a_point_or_a_column_past_the_end_still_gets_one_caret() -> None:
    assert render_snippet(diagnostic(1, 1, 1, 1), ["x = 1"], reporters._plain) == ["  |", "1 | x = 1", "  | ^", "  |"]
    assert render_snippet(diagnostic(1, 9, 1, 9), ["def f(:"], reporters._plain)[2] == "  |        ^"
    assert render_snippet(diagnostic(3, 1, 3, 1), ["x = 1"], reporters._plain) is None


# -- JSON Lines and GitHub ----------------------------------------------------


def test_json_lines_holds_the_json_records_one_per_line(root: Path) -> None:
    result = lint(root)
    lines = render(root, "json-lines", result).splitlines()
    assert [json.loads(line) for line in lines] == json.loads(render(root, "json", result))
    assert len(lines) == 4


def test_github_annotations(root: Path) -> None:
    lines = render(root, "github").splitlines()
    assert len(lines) == 4
    assert lines[2].startswith("::error title=FAPI302,file=app/db.py,line=4,col=18,endLine=4,endColumn=44::`async_sessionmaker")
    # The fix hint is a second line of the annotation, escaped into the one command line.
    assert lines[2].endswith("%0Afix: Add `expire_on_commit=False` (safe: --fix)")


def test_github_escaping() -> None:
    found = diagnostic(2, 1, 2, 5, path="odd dir/a,b:c.py", message="100% sure\r\nsecond: line, really")
    command = annotation(found, None)
    assert command.startswith("::error title=FAPI201,file=odd dir/a%2Cb%3Ac.py,line=2,")
    properties, message = command[len("::error ") :].split("::", 1)
    assert message == "100%25 sure%0D%0Asecond: line, really"
    assert [item.split("=")[0] for item in properties.split(",")] == ["title", "file", "line", "col", "endLine", "endColumn"]


# -- GitLab -------------------------------------------------------------------


def test_gitlab_code_quality_report(root: Path) -> None:
    issues = json.loads(render(root, "gitlab"))
    assert len(issues) == 4
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] == "major"
        assert issue["description"].startswith(issue["check_name"] + " ")
    assert issues[2]["location"] == {"path": "app/db.py", "lines": {"begin": 4, "end": 4}}
    # The two identical `print(os.getenv("TOKEN"))` lines are told apart.
    assert len({issue["fingerprint"] for issue in issues}) == 4


def test_gitlab_fingerprints_survive_a_line_inserted_above(root: Path) -> None:
    before = json.loads(render(root, "gitlab"))
    for name in ("db.py", "config.py"):
        path = root / "app" / name
        path.write_text('"""A new docstring."""\n' + path.read_text())
    after = json.loads(render(root, "gitlab"))
    assert [issue["location"]["lines"]["begin"] for issue in after] == [
        issue["location"]["lines"]["begin"] + 1 for issue in before
    ]
    assert [issue["fingerprint"] for issue in after] == [issue["fingerprint"] for issue in before]


def test_gitlab_fingerprint_changes_with_the_flagged_code(root: Path) -> None:
    before = json.loads(render(root, "gitlab"))
    path = root / "app" / "db.py"
    path.write_text(path.read_text().replace("SessionFactory =", "Factory ="))
    after = json.loads(render(root, "gitlab"))
    assert after[2]["fingerprint"] != before[2]["fingerprint"]
    assert after[3]["fingerprint"] == before[3]["fingerprint"]


def test_gitlab_paths_are_relative_to_the_gitlab_project(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI_PROJECT_DIR", str(root.parent))
    issues = json.loads(render(root, "gitlab"))
    assert issues[2]["location"]["path"] == f"{root.name}/app/db.py"


# -- JUnit --------------------------------------------------------------------


def test_junit_has_a_failing_test_case_per_finding(root: Path) -> None:
    tree = ET.fromstring(render(root, "junit"))
    assert tree.tag == "testsuites"
    assert (tree.get("tests"), tree.get("failures"), tree.get("errors")) == ("4", "4", "0")
    suites = {suite.get("name"): suite for suite in tree.findall("testsuite")}
    assert set(suites) == {"app/config.py", "app/db.py"}
    cases = suites["app/db.py"].findall("testcase")
    assert suites["app/db.py"].get("failures") == "2"
    assert [case.get("classname") for case in cases] == ["app.db", "app.db"]
    failure = cases[0].find("failure")
    assert failure is not None and failure.get("type") == "FAPI302"
    assert failure.get("message", "").startswith("`async_sessionmaker(...)` keeps")
    assert (failure.text or "").startswith("app/db.py:4:18: FAPI302 ")


def test_junit_passes_when_there_is_nothing_to_report(tmp_path: Path) -> None:
    write_project(tmp_path, {"app/__init__.py": "", "app/ok.py": "x = 1\n"})
    tree = ET.fromstring(render(tmp_path, "junit"))
    cases = tree.findall("testsuite/testcase")
    assert len(cases) == 1 and list(cases[0]) == []
    assert (tree.get("tests"), tree.get("failures"), tree.get("errors")) == ("1", "0", "0")


def test_junit_reports_unreadable_files_as_errors_and_stays_valid_xml() -> None:
    result = RunResult(
        diagnostics=[diagnostic(1, 1, 1, 2, message="bad \x1b[31m byte \x00 <tag>")],
        errors=[FileError("app/bin.py", "cannot decode as utf-8")],
        internal_errors=[InternalError("app/m.py", "FAPI303", "KeyError: 'x'")],
    )
    tree = ET.fromstring(reporters.render(result, "junit", fixing=False, unsafe_fixes=False, color=False))
    assert (tree.get("tests"), tree.get("failures"), tree.get("errors")) == ("3", "1", "2")
    failure = tree.find("testsuite/testcase/failure")
    assert failure is not None and "<tag>" in failure.get("message", "")
    errors = tree.findall("testsuite/testcase/error")
    assert [error.get("message") for error in errors] == ["internal error in rule FAPI303: KeyError: 'x'", "cannot decode as utf-8"]


# -- SARIF --------------------------------------------------------------------


def sarif_errors(log: dict[str, Any]) -> list[str]:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    assert validator_class is jsonschema.Draft4Validator  # what the schema declares
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(log)]


def test_sarif_validates_against_the_official_schema(root: Path) -> None:
    log = json.loads(render(root, "sarif"))
    assert sarif_errors(log) == []
    assert log["version"] == "2.1.0"
    assert len(log["runs"][0]["results"]) == 4


def test_the_schema_check_catches_a_malformed_log(root: Path) -> None:
    log = json.loads(render(root, "sarif"))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(sarif_errors(log)) == 2


def test_sarif_describes_every_rule(root: Path) -> None:
    run_log = json.loads(render(root, "sarif"))["runs"][0]
    rules = run_log["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in DOCUMENTED_RULES]
    for descriptor, rule in zip(rules, DOCUMENTED_RULES):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] and "## " not in descriptor["fullDescription"]["text"]
        assert descriptor["help"]["markdown"] == rule.documentation()
        assert descriptor["helpUri"] == rule_url(rule.code) == f"https://github.com/fastapi-lint/fastapi-lint/blob/main/docs/rules/{rule.code}.md"
    for result in run_log["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "error"


def test_sarif_locations_are_relative_to_the_source_root(root: Path) -> None:
    run_log = json.loads(render(root, "sarif"))["runs"][0]
    assert run_log["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root.resolve().as_uri() + "/"
    assert run_log["invocations"] == [{"executionSuccessful": True}]
    location = run_log["results"][2]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app/db.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 4, "startColumn": 18, "endLine": 4, "endColumn": 44}


def test_sarif_fixes_rebuild_what_fix_applies(root: Path) -> None:
    result = lint(root)
    text = (root / "app" / "db.py").read_text()
    for unsafe in (False, True):
        results = json.loads(render(root, "sarif", result))["runs"][0]["results"]
        chosen = [r for r in results if r.get("fixes") and (unsafe or r["fixes"][0]["properties"]["applicability"] == "safe")]
        edits = [
            Edit(
                change["artifactLocation"]["uri"],
                replacement["deletedRegion"]["startLine"],
                replacement["deletedRegion"]["startColumn"],
                replacement["deletedRegion"]["endLine"],
                replacement["deletedRegion"]["endColumn"],
                replacement["insertedContent"]["text"],
            )
            for r in chosen
            for change in r["fixes"][0]["artifactChanges"]
            for replacement in change["replacements"]
        ]
        rebuilt = [
            Diagnostic("X", "x", "x", "app/db.py", e.line, e.column, e.end_line, e.end_column, Fix("safe", "x", (e,)))
            for e in edits
        ]
        assert apply_fixes(text, rebuilt, unsafe_fixes=False)[0] == apply_fixes(text, result.diagnostics, unsafe)[0]
        assert len(chosen) == (2 if unsafe else 1)


def test_sarif_reports_unreadable_files_and_internal_errors() -> None:
    result = RunResult(
        errors=[FileError("/abs/app/bin.py", "cannot decode as utf-8")],
        internal_errors=[InternalError("app/m.py", "FAPI303", "KeyError: 'x'")],
    )
    log = json.loads(reporters.render(result, "sarif", fixing=False, unsafe_fixes=False, color=False))
    assert sarif_errors(log) == []
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notifications = invocation["toolExecutionNotifications"]
    assert notifications[0]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "file:///abs/app/bin.py"}
    assert "KeyError" in notifications[1]["message"]["text"]


# -- the console script -------------------------------------------------------


def test_output_file_gets_the_report_and_stdout_stays_empty(root: Path) -> None:
    target = root / "reports" / "lint.sarif"
    result = run("check", ".", "--output-format", "sarif", "--output-file", "reports/lint.sarif", cwd=root)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert sarif_errors(json.loads(target.read_text(encoding="utf-8"))) == []


def test_an_unwritable_output_file_is_a_clear_error(root: Path) -> None:
    (root / "taken").mkdir()
    result = run("check", ".", "--output-file", "taken", cwd=root)
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot write the report")
    assert "Traceback" not in result.stderr


def test_the_default_output_is_full(root: Path) -> None:
    result = run("check", ".", cwd=root)
    assert result.returncode == 1
    assert "4 | SessionFactory = async_sessionmaker(engine)" in result.stdout
    assert result.stdout.splitlines()[-1] == "Found 4 errors (1 fixable with --fix, 1 more with --unsafe-fixes)."
