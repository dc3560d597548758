"""The engine's handling of fixes that touch several files: edits, creations, moves."""

from __future__ import annotations

import json
import sys
import shutil
import subprocess
from pathlib import Path
from typing import ClassVar

import libcst as cst
import pytest
from click.testing import CliRunner

from conftest import write_project
from fastapi_lint.linter import engine as engine_module
from fastapi_lint.linter.cli import main
from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.diagnostics import Diagnostic
from fastapi_lint.linter.engine import Engine, RunOptions
from fastapi_lint.linter.project_edits import create_file, edits_between, move_file, split_lines
from fastapi_lint.linter.rule import FixSpec, Rule
from fastapi_lint.linter.fixes import apply_edits


class MoveGreetings(Rule):
    """Toy rule: a call to `greet()` in a module moves into `app/greetings.py`.

    The fix edits the module (an import), appends to (or creates) the greetings module
    and, when the option says so, moves `app/old.py` to `app/new/old.py`.
    """

    code: ClassVar[str] = "FAPI990"
    name: ClassVar[str] = "toy-greet"
    summary: ClassVar[str] = "toy"
    triggers: ClassVar[tuple[str, ...]] = ("greet",)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.name.value != "greet" or self.context.module_name == "app.greetings":
            return
        index = self.context.index
        target = index.root / "app" / "greetings.py"
        own_old = self.context.text
        own_new = own_old.replace("def greet", "from app.greetings import greet\n\n\ndef _unused_greet")
        edits = list(edits_between(str(self.context.path), own_old, own_new))
        existing = index.source("app.greetings")
        if existing is None:
            edits.append(create_file(target, "def greet():\n    return 'hi'\n"))
        else:
            edits.extend(edits_between(str(target), existing.text, existing.text + "\n\ndef greet():\n    return 'hi'\n"))
        if (index.root / "app" / "old.py").exists():
            edits.append(move_file(index.root / "app" / "old.py", index.root / "app" / "new" / "old.py"))
        self.report(node, "greet belongs in app/greetings.py", FixSpec("unsafe", "Move greet", edits=edits))


@pytest.fixture
def toy_rule(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(engine_module, "ALL_RULES", [*engine_module.ALL_RULES, MoveGreetings])
    return MoveGreetings


def _engine(root: Path, **options: bool) -> Engine:
    return Engine(Settings(select=["FAPI990"]), RunOptions(**options), cwd=root)


def test_edits_between_round_trips() -> None:
    cases = [
        ("a\nb\nc\n", "a\nB\nc\n"),
        ("a\nb", "a\nb\nc"),
        ("a\r\nb\r\n", "x\r\na\r\nb\r\ny\r\n"),
        ("", "new\n"),
        ("only\n", ""),
    ]
    for old, new in cases:
        text, _ = apply_edits(old, edits_between("f.py", old, new))
        assert text == new
    assert split_lines("a\rb\r\nc") == ["a\r", "b\r\n", "c"]


def test_fix_creates_a_module_and_edits_the_finding_file(tmp_path: Path, toy_rule) -> None:
    write_project(tmp_path, {"app/__init__.py": "", "app/main.py": "def greet():\n    return 1\n"})
    result = _engine(tmp_path, fix=True, unsafe_fixes=True).run([tmp_path])
    assert result.fixed == 1
    assert (tmp_path / "app/greetings.py").read_text() == "def greet():\n    return 'hi'\n"
    assert (tmp_path / "app/main.py").read_text() == (
        "from app.greetings import greet\n\n\ndef _unused_greet():\n    return 1\n"
    )
    assert [d.code for d in result.diagnostics] == []
    again = _engine(tmp_path, fix=True, unsafe_fixes=True).run([tmp_path])
    assert again.fixed == 0


def test_unsafe_multi_file_fix_needs_consent(tmp_path: Path, toy_rule) -> None:
    write_project(tmp_path, {"app/__init__.py": "", "app/main.py": "def greet():\n    return 1\n"})
    result = _engine(tmp_path, fix=True).run([tmp_path])
    assert result.fixed == 0
    assert not (tmp_path / "app/greetings.py").exists()
    assert [d.code for d in result.diagnostics] == ["FAPI990"]


def test_diff_shows_every_file_and_writes_nothing(tmp_path: Path, toy_rule) -> None:
    write_project(
        tmp_path,
        {"app/__init__.py": "", "app/main.py": "def greet():\n    return 1\n", "app/old.py": "X = 1\n"},
    )
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.py")}
    result = _engine(tmp_path, diff=True, unsafe_fixes=True).run([tmp_path])
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.py")} == before
    text = "".join(result.diffs)
    assert "--- /dev/null\n+++ b/app/greetings.py\n@@ -0,0 +1,2 @@\n+def greet():" in text
    assert "+from app.greetings import greet" in text and "--- a/app/main.py\n+++ b/app/main.py" in text
    assert "rename from app/old.py\nrename to app/new/old.py" in text
    assert result.fixed == 1


def test_json_lists_the_path_of_every_file_touched(tmp_path: Path, toy_rule, monkeypatch) -> None:
    write_project(
        tmp_path,
        {"app/__init__.py": "", "app/main.py": "def greet():\n    return 1\n", "app/old.py": "X = 1\n"},
    )
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(main, ["check", "--select", "FAPI990", "--output-format", "json", "--no-cache", "."])
    records = json.loads(out.output)
    edits = records[0]["fix"]["edits"]
    assert {edit["path"] for edit in edits} == {"app/main.py", "app/greetings.py", "app/new/old.py"}
    created = next(edit for edit in edits if edit.get("kind") == "create")
    assert created["content"].startswith("def greet")
    moved = next(edit for edit in edits if edit.get("kind") == "move")
    assert moved["source"] == "app/old.py"


def test_move_uses_git_inside_a_work_tree(tmp_path: Path, toy_rule) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    write_project(
        tmp_path,
        {"app/__init__.py": "", "app/main.py": "def greet():\n    return 1\n", "app/old.py": "X = 1\n"},
    )
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "."], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "start"], cwd=tmp_path, check=True)
    _engine(tmp_path, fix=True, unsafe_fixes=True).run([tmp_path])
    assert (tmp_path / "app/new/old.py").read_text() == "X = 1\n"
    assert not (tmp_path / "app/old.py").exists()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert "R  app/old.py -> app/new/old.py" in status


def test_fix_whose_other_file_would_not_parse_is_not_applied(tmp_path: Path, toy_rule) -> None:
    # The greetings module exists and ends inside an open bracket: appending to it cannot parse.
    write_project(
        tmp_path,
        {"app/__init__.py": "", "app/main.py": "def greet():\n    return 1\n", "app/greetings.py": "X = [\n"},
    )
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.py")}
    result = _engine(tmp_path, fix=True, unsafe_fixes=True).run([tmp_path / "app/main.py"])
    assert result.fixed == 0
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.py")} == before
    assert any("does not parse" in error.message for error in result.errors)


def test_fix_never_overwrites_a_file_it_means_to_create(tmp_path: Path, toy_rule) -> None:
    write_project(tmp_path, {"app/__init__.py": "", "app/main.py": "def greet():\n    return 1\n"})
    engine = _engine(tmp_path, fix=True, unsafe_fixes=True)
    real_run_once = engine._run_once

    def run_then_create(paths):
        result = real_run_once(paths)
        if not (tmp_path / "app/greetings.py").exists():
            (tmp_path / "app/greetings.py").write_text("MINE = 1\n")
        return result

    engine._run_once = run_then_create  # type: ignore[method-assign]
    result = engine.run([tmp_path / "app/main.py"])
    assert (tmp_path / "app/greetings.py").read_text() == "MINE = 1\n"
    assert result.fixed == 0


def test_a_named_file_that_a_fix_moves_is_linted_where_it_went(tmp_path: Path, toy_rule) -> None:
    write_project(
        tmp_path,
        {"app/__init__.py": "", "app/main.py": "def greet():\n    return 1\n", "app/old.py": "X = 1\n"},
    )
    result = _engine(tmp_path, fix=True, unsafe_fixes=True).run([tmp_path / "app/main.py", tmp_path / "app/old.py"])
    assert result.errors == []
    assert result.fixed == 1
    assert (tmp_path / "app/new/old.py").exists()


def test_sarif_leaves_out_fixes_that_move_files(tmp_path: Path, toy_rule, monkeypatch) -> None:
    write_project(
        tmp_path,
        {"app/__init__.py": "", "app/main.py": "def greet():\n    return 1\n", "app/old.py": "X = 1\n"},
    )
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(main, ["check", "--select", "FAPI990", "--output-format", "sarif", "--no-cache", "."])
    results = json.loads(out.output)["runs"][0]["results"]
    assert results and all("fixes" not in result for result in results)


class RenameByAbsolutePath(Rule):
    """Toy rule: renames `old_name` to `new_name`, naming its own file by absolute path."""

    code: ClassVar[str] = "FAPI991"
    name: ClassVar[str] = "toy-rename"
    summary: ClassVar[str] = "toy"
    triggers: ClassVar[tuple[str, ...]] = ("old_name",)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "old_name" and "old_name" in self.context.text:
            text = self.context.text
            edits = edits_between(str(self.context.path), text, text.replace("old_name", "new_name"))
            self.report(node, "rename", FixSpec("safe", "Rename", edits=edits))


def test_own_file_edits_named_by_absolute_path_are_applied(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(engine_module, "ALL_RULES", [*engine_module.ALL_RULES, RenameByAbsolutePath])
    write_project(tmp_path, {"app/__init__.py": "", "app/main.py": "old_name = 1\n"})
    result = Engine(Settings(select=["FAPI991"]), RunOptions(fix=True), cwd=tmp_path).run([tmp_path])
    assert (tmp_path / "app/main.py").read_text() == "new_name = 1\n"
    assert result.fixed == 1 and result.diagnostics == []


def _diagnostic(path: str, line: int, edits: list) -> Diagnostic:
    from fastapi_lint.linter.diagnostics import Fix

    return Diagnostic("FAPI990", "toy", "m", path, line, 1, line, 1, Fix("unsafe", "f", tuple(edits)))


def test_fixes_inserting_different_text_at_one_point_apply_together(tmp_path: Path) -> None:
    from fastapi_lint.linter.diagnostics import Edit
    from fastapi_lint.linter.multi_fix import apply_multi_file_fixes

    write_project(
        tmp_path,
        {
            "app/config.py": "class Settings:\n    a: int = 1\n",
            "app/one.py": "x = read('B')\n",
            "app/two.py": "y = read('C')\n",
        },
    )
    field_b = Edit("app/config.py", 3, 1, 3, 1, "    b: str = 'b'\n")
    field_c = Edit("app/config.py", 3, 1, 3, 1, "    c: str = 'c'\n")
    first = _diagnostic("app/one.py", 1, [Edit("app/one.py", 1, 5, 1, 14, "B"), field_b])
    second = _diagnostic("app/two.py", 1, [Edit("app/two.py", 1, 5, 1, 14, "C"), field_c])
    outcome = apply_multi_file_fixes([first, second], lambda shown: tmp_path / shown, write=True)
    assert outcome.fixed == 2 and not outcome.errors
    assert (tmp_path / "app/config.py").read_text() == (
        "class Settings:\n    a: int = 1\n    b: str = 'b'\n    c: str = 'c'\n"
    )
    assert (tmp_path / "app/one.py").read_text() == "x = B\n"
    assert (tmp_path / "app/two.py").read_text() == "y = C\n"


def test_the_same_insertion_by_two_fixes_waits_for_the_next_pass(tmp_path: Path) -> None:
    from fastapi_lint.linter.diagnostics import Edit
    from fastapi_lint.linter.multi_fix import apply_multi_file_fixes

    write_project(tmp_path, {"app/config.py": "class Settings:\n    a: int = 1\n", "app/one.py": "x = 1\n"})
    field = Edit("app/config.py", 3, 1, 3, 1, "    b: str = 'b'\n")
    first = _diagnostic("app/one.py", 1, [Edit("app/one.py", 1, 5, 1, 6, "2"), field])
    second = _diagnostic("app/one.py", 2, [field])
    outcome = apply_multi_file_fixes([first, second], lambda shown: tmp_path / shown, write=True)
    assert outcome.fixed == 1
    assert (tmp_path / "app/config.py").read_text() == "class Settings:\n    a: int = 1\n    b: str = 'b'\n"


@pytest.mark.parametrize(
    "example, arguments",
    [
        ("layered_api", ["--select", "FAPI101"]),
        ("settings_app", ["--select", "FAPI201"]),
        ("sessions_app", []),
        ("task_queue_app", []),
    ],
)
def test_diff_is_exactly_what_fix_writes(tmp_path: Path, example: str, arguments: list[str]) -> None:
    """The preview, applied with `git apply`, gives the tree `--fix` writes (moves included)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    source = Path(__file__).resolve().parent.parent / "examples" / example
    ignored = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".fastapi_lint_cache", "*.db")
    previewed, fixed = tmp_path / "previewed", tmp_path / "fixed"
    shutil.copytree(source, previewed, ignore=ignored)
    shutil.copytree(source, fixed, ignore=ignored)
    command = [sys.executable, "-m", "fastapi_lint", "check", "--no-cache", "--unsafe-fixes", *arguments, "."]
    diff = subprocess.run([*command, "--diff"], cwd=previewed, capture_output=True, text=True)
    assert diff.stdout, diff.stderr
    subprocess.run([*command, "--fix"], cwd=fixed, capture_output=True, text=True)
    subprocess.run(["git", "init", "-q"], cwd=previewed, check=True)
    applied = subprocess.run(["git", "apply", "-"], cwd=previewed, input=diff.stdout, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    shutil.rmtree(previewed / ".git")
    assert _tree(previewed) == _tree(fixed)


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".fastapi_lint_cache" not in path.parts and "__pycache__" not in path.parts
    }


def test_project_wide_fixes_are_planned_only_when_they_will_be_used(tmp_path: Path) -> None:
    from example_apps import copy_example

    app = copy_example("sessions_app", tmp_path)

    def global_session_fixes(**options: bool) -> list[bool]:
        result = Engine(Settings(select=["FAPI301"]), RunOptions(**options), cwd=app).run([app])
        return [d.fix is not None for d in result.diagnostics]

    # A plain report (text output) does not pay for planning the dependency fix...
    assert global_session_fixes(fixes_as_data=False) == [False]
    # ...JSON/SARIF output, --diff and --fix do.
    assert global_session_fixes(fixes_as_data=True) == [True]
