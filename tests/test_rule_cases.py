"""Every rule's own VALID / INVALID cases, and the exact code its fixes produce."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import write_project
from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.engine import Engine, RunOptions
from fastapi_lint.linter.rule import Invalid, ProjectRule, Valid
from fastapi_lint.rules import ALL_RULES


def _cases(kind: str):
    for rule in ALL_RULES:
        for number, case in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, case, id=f"{rule.code}-{kind.lower()}-{number}")


def _run(rule, case, root: Path, fix: bool = False):
    files = {**case.files}
    if not issubclass(rule, ProjectRule) or case.code:
        files[case.path] = case.code
    write_project(root, files)
    settings = Settings(select=[rule.code], rule_options={rule.code: dict(case.options)})
    engine = Engine(settings, RunOptions(fix=fix, unsafe_fixes=getattr(case, "unsafe_fixes", False)), cwd=root)
    target = root if issubclass(rule, ProjectRule) else root / case.path
    result = engine.run([target])
    assert not result.internal_errors, result.internal_errors
    assert not result.errors, result.errors
    return [d for d in result.diagnostics if d.code == rule.code], result


@pytest.mark.parametrize("rule, case", list(_cases("VALID")))
def test_valid(rule, case: Valid, tmp_path: Path) -> None:
    found, _ = _run(rule, case, tmp_path)
    assert found == [], "\n".join(f"{d.line}: {d.message}" for d in found)


@pytest.mark.parametrize("rule, case", list(_cases("INVALID")))
def test_invalid(rule, case: Invalid, tmp_path: Path) -> None:
    found, _ = _run(rule, case, tmp_path)
    assert len(found) == case.count, "\n".join(f"{d.line}: {d.message}" for d in found) or "no finding"
    if case.line is not None:
        assert found[0].line == case.line
    if case.message_contains is not None:
        assert case.message_contains in found[0].message
    if case.expected_fix is None and not case.expected_files:
        assert all(d.fix is None or (d.fix.applicability == "unsafe" and not case.unsafe_fixes) for d in found)
        return
    _, result = _run(rule, case, tmp_path, fix=True)
    fixed = (tmp_path / case.path).read_text(encoding="utf-8") if (tmp_path / case.path).exists() else None
    if case.expected_fix is not None:
        assert fixed == textwrap.dedent(case.expected_fix)
    for path, expected in case.expected_files.items():
        written = tmp_path / path
        if expected is None:
            assert not written.exists(), path
        else:
            assert written.read_text(encoding="utf-8") == textwrap.dedent(expected), path
    # A second run changes nothing more, in any file.
    before = _snapshot(tmp_path)
    engine = Engine(
        Settings(select=[rule.code], rule_options={rule.code: dict(case.options)}),
        RunOptions(fix=True, unsafe_fixes=case.unsafe_fixes),
        cwd=tmp_path,
    )
    target = tmp_path if issubclass(rule, ProjectRule) or fixed is None else tmp_path / case.path
    again = engine.run([target])
    assert again.fixed == 0
    assert _snapshot(tmp_path) == before


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".fastapi_lint_cache" not in path.parts
    }


def test_every_rule_has_cases_and_documentation() -> None:
    sections = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "Options")
    for rule in ALL_RULES:
        assert rule.VALID and rule.INVALID, rule.code
        doc = rule.documentation()
        for section in sections:
            assert f"## {section}" in doc, (rule.code, section)
