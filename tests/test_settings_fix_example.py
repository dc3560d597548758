"""FAPI201's settings fix end to end, from the CLI, on ``examples/settings_app``.

The example app reads environment variables in several modules although it has a
pydantic-settings class. Its own test suite passes before the fix; the fix rewrites the
project into the stored tree ``tests/data/fixed/settings_app`` (every read on the
settings object, the missing fields declared); ``--diff`` writes nothing; a second
``--fix`` changes nothing; every module still compiles; and the app's tests still pass.
"""

from __future__ import annotations

import py_compile
import re
import subprocess
from pathlib import Path

import pytest

from example_apps import app_tests as _app_tests
from example_apps import copy_example, lint
from example_apps import text_tree as _tree

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "settings_app"
EXPECTED = HERE / "data" / "fixed" / "settings_app"
# Modules the fix rewrites, and the one it must leave (the settings module imports it).
CHANGED = {"app/main.py", "app/api/items.py", "app/api/status.py", "app/services/mailer.py", "app/core/config.py"}


def _lint(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    # One process: worker start-up would dominate the run of so small a project.
    return lint(root, "-j", "1", "--select", "FAPI201", *arguments)


@pytest.fixture
def app_copy(tmp_path: Path) -> Path:
    return copy_example("settings_app", tmp_path)


def test_fix_rewrites_the_example_into_the_expected_tree(app_copy: Path) -> None:
    before = _tree(app_copy)
    tests_before = _app_tests(app_copy)
    assert tests_before.returncode == 0, tests_before.stdout + tests_before.stderr

    # --diff: a unified diff per file, nothing written; it previews every pass, so it shows
    # exactly the files --fix changes.
    preview = _lint(app_copy, "--unsafe-fixes", "--diff")
    assert _tree(app_copy) == before
    shown = set(re.findall(r"^\+\+\+ b/(\S+)$", preview.stdout, flags=re.MULTILINE))
    assert shown == CHANGED, preview.stdout
    assert "app/core/config.py" in shown and "--- a/app/core/config.py" in preview.stdout

    # Without --unsafe-fixes nothing is applied: every one of these fixes is unsafe.
    cautious = _lint(app_copy, "--fix")
    assert _tree(app_copy) == before, cautious.stdout

    fixed = _lint(app_copy, "--unsafe-fixes", "--fix")
    after = _tree(app_copy)
    expected = _tree(EXPECTED)
    # The app's own tests are left alone (they are not stored with the expected tree).
    assert {path: text for path, text in after.items() if path.startswith("tests/")} == {
        path: text for path, text in before.items() if path.startswith("tests/")
    }
    assert {path: text for path, text in after.items() if not path.startswith("tests/")} == expected
    assert {path for path in after if after[path] != before.get(path)} == CHANGED
    # The one read left is the module the settings module imports: the message says why.
    assert fixed.returncode == 1
    assert "app/core/logging.py:6:13: FAPI201" in fixed.stdout
    assert "would create an import cycle" in fixed.stdout
    assert "8 fixed, 1 remaining" in fixed.stdout

    # A second --fix changes nothing.
    again = _lint(app_copy, "--unsafe-fixes", "--fix")
    assert _tree(app_copy) == after
    assert "fixed" not in again.stdout

    # Every module still compiles, and the app's tests still pass.
    for path in app_copy.rglob("*.py"):
        py_compile.compile(str(path), cfile=str(path) + "c.tmp", doraise=True)
        Path(str(path) + "c.tmp").unlink()
    tests_after = _app_tests(app_copy)
    assert tests_after.returncode == 0, tests_after.stdout + tests_after.stderr


def test_json_names_every_file_a_fix_touches(app_copy: Path) -> None:
    import json

    report = _lint(app_copy, "--output-format", "json")
    records = json.loads(report.stdout)
    items_read = next(record for record in records if record["path"] == "app/api/items.py")
    assert {edit["path"] for edit in items_read["fix"]["edits"]} == {"app/api/items.py", "app/core/config.py"}
    assert items_read["fix"]["applicability"] == "unsafe"
    assert items_read["fix"]["message"] == (
        "Read `PAGE_SIZE` from `settings.page_size`, declaring `page_size: int = 20` in `Settings`"
    )
    cycle = next(record for record in records if record["path"] == "app/core/logging.py")
    assert cycle["fix"] is None
