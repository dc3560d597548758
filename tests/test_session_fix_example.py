"""FAPI301 and FAPI303 fixed end to end on examples/sessions_app, through the CLI.

The example is a FastAPI + SQLAlchemy app sharing one module-level session between its
routes and its services, and opening unmanaged sessions in functions. Its own tests pass
before the fix; ``fastapi-lint check --unsafe-fixes --fix .`` must produce exactly the
tree stored in tests/data/fixed/sessions_app, change nothing more when run again, and
leave an app whose modules compile and whose tests still pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from example_apps import app_tests as _app_tests
from example_apps import copy_example
from example_apps import lint as _lint
from example_apps import text_tree as _tree

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLE = REPOSITORY / "examples" / "sessions_app"
EXPECTED = Path(__file__).resolve().parent / "data" / "fixed" / "sessions_app"


@pytest.fixture
def app_copy(tmp_path: Path) -> Path:
    return copy_example("sessions_app", tmp_path)


def test_the_fixes_produce_the_expected_tree_and_the_app_still_works(app_copy: Path) -> None:
    before_tests = _app_tests(app_copy)
    assert before_tests.returncode == 0, before_tests.stdout + before_tests.stderr
    original = _tree(app_copy)

    fixed = _lint(app_copy, "--unsafe-fixes", "--fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "3 fixed, 0 remaining" in fixed.stdout
    result = _tree(app_copy)
    expected = _tree(EXPECTED)
    assert sorted(result) == sorted(expected)
    for path, text in expected.items():
        assert result[path] == text, path
    assert result != original

    again = _lint(app_copy, "--unsafe-fixes", "--fix")
    assert again.returncode == 0, again.stdout + again.stderr
    assert _tree(app_copy) == result

    for path in app_copy.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    after_tests = _app_tests(app_copy)
    assert after_tests.returncode == 0, after_tests.stdout + after_tests.stderr
    assert "4 passed" in after_tests.stdout


def test_diff_shows_every_file_and_writes_nothing(app_copy: Path) -> None:
    original = _tree(app_copy)
    shown = _lint(app_copy, "--unsafe-fixes", "--diff")
    assert _tree(app_copy) == original
    changed = sorted(path for path, text in _tree(EXPECTED).items() if original[path] != text)
    assert changed == ["app/database.py", "app/stats.py", "app/users/router.py", "app/users/service.py"]
    for path in changed:
        assert f"--- a/{path}\n+++ b/{path}\n" in shown.stdout, path
    assert "+def get_db():" in shown.stdout
    assert "-db = SessionLocal()" in shown.stdout


def test_safe_fixes_alone_change_nothing(app_copy: Path) -> None:
    original = _tree(app_copy)
    result = _lint(app_copy, "--fix")
    assert _tree(app_copy) == original
    assert "FAPI301" in result.stdout and "FAPI303" in result.stdout


def test_json_names_every_file_the_dependency_fix_touches(app_copy: Path) -> None:
    output = _lint(app_copy, "--output-format", "json")
    records = json.loads(output.stdout)
    by_code = {record["code"]: record for record in records if record["code"] == "FAPI301"}
    fix = by_code["FAPI301"]["fix"]
    assert fix["applicability"] == "unsafe"
    assert {edit["path"] for edit in fix["edits"]} == {"app/database.py", "app/users/router.py", "app/users/service.py"}
