"""Fixture files with inline expectations: ``# FAPI201`` marks a line that must be flagged.

``tests/fixtures/FAPIxxx.py`` holds an "errors" part and an "OK" part; it is linted as
``app/fixture.py`` of a small project, with only that rule selected.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import write_project
from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.engine import Engine

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTATION = re.compile(r"#\s*(FAPI\d{3})\b")


def _expected(path: Path, code: str) -> list[int]:
    lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if "#" in line and any(match.group(1) == code for match in EXPECTATION.finditer(line.split("noqa")[0])):
            lines.append(number)
    return lines


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("FAPI*.py")), ids=lambda path: path.stem)
def test_fixture(fixture: Path, tmp_path: Path) -> None:
    code = fixture.stem[:7]
    write_project(tmp_path, {"app/__init__.py": ""})
    target = tmp_path / "app" / "fixture.py"
    shutil.copyfile(fixture, target)
    result = Engine(Settings(select=[code]), cwd=tmp_path).run([target])
    assert not result.internal_errors and not result.errors
    found = sorted(d.line for d in result.diagnostics if d.code == code)
    assert found == _expected(fixture, code)
