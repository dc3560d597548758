"""FAPI101's restructure, end to end on examples/layered_api: the exact output tree, the
fixed app still compiles, imports and passes its own test suite, `git mv` keeps history,
a second --fix changes nothing and --diff previews everything without writing."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from example_apps import app_tests as _app_tests
from example_apps import byte_tree as _tree
from example_apps import copy_example, environment, lint

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "layered_api"
EXPECTED = REPO / "tests" / "data" / "fixed" / "layered_api"
MOVES = {
    "app/api/v1/endpoints/users.py": "app/users/router.py",
    "app/api/v1/endpoints/items.py": "app/items/router.py",
    "app/models/user.py": "app/users/models.py",
    "app/models/item.py": "app/items/models.py",
    "app/schemas/user.py": "app/users/schemas.py",
    "app/schemas/item.py": "app/items/schemas.py",
    "app/crud/crud_user.py": "app/users/crud.py",
    "app/crud/crud_item.py": "app/items/crud.py",
    "app/services/user_service.py": "app/users/service.py",
    "app/services/item_service.py": "app/items/service.py",
    # Shared, but imported by moved modules from a package whose __init__ re-exports them.
    "app/crud/base.py": "app/core/crud_base.py",
}


def _copy(tmp_path: Path) -> Path:
    return copy_example("layered_api", tmp_path)


def _lint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return lint(cwd, "--select", "FAPI101", *args)


def _git(cwd: Path, *args: str) -> str:
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main"]
    return subprocess.run([*git, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _defined_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _unresolved_imports(root: Path) -> list[str]:
    """Every import of a project module (``app``, ``tests``) that names no existing module or name."""
    modules: dict[str, Path] = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    tops = {name.split(".")[0] for name in modules}
    trees = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in modules.items()}
    problems = []
    for name, tree in trees.items():
        package = name if modules[name].name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in tops and alias.name not in modules:
                        problems.append(f"{name}: import {alias.name}")
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")
                    base_parts = parts[: len(parts) - (node.level - 1)]
                    base = ".".join([*base_parts, *([node.module] if node.module else [])])
                else:
                    base = node.module or ""
                if base.split(".")[0] not in tops:
                    continue
                if base not in modules:
                    problems.append(f"{name}: from {base}")
                    continue
                for alias in node.names:
                    if alias.name != "*" and f"{base}.{alias.name}" not in modules:
                        if alias.name not in _defined_names(trees[base]):
                            problems.append(f"{name}: from {base} import {alias.name}")
    return problems


def test_the_example_is_flagged_and_its_imports_resolve() -> None:
    assert _unresolved_imports(EXAMPLE) == []


def test_restructure_keeps_the_app_working_and_its_history(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    project = _copy(tmp_path)
    _git(project, "init", "-q")
    _git(project, "add", ".")
    _git(project, "commit", "-qm", "layered")
    before = _app_tests(project)
    assert before.returncode == 0, before.stdout + before.stderr

    fixed = _lint(project, "--unsafe-fixes", "--fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "1 fixed, 0 remaining" in fixed.stdout + fixed.stderr

    # The exact tree: every path and every byte.
    assert _tree(project) == _tree(EXPECTED)
    # History follows the files: git sees renames (staged by `git mv`; "RM" when the
    # imports in the moved file were also edited), not deletions and additions.
    status = _git(project, "status", "--porcelain").splitlines()
    for source, target in MOVES.items():
        assert f"R  {source} -> {target}" in status or f"RM {source} -> {target}" in status, status
    assert not [line for line in status if line.startswith((" D", "D "))], status
    # Every module compiles, every project import resolves, the app's own tests pass.
    for path in project.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    assert _unresolved_imports(project) == []
    # Each moved module imports on its own, first: no import cycle depends on who imports first.
    for target in MOVES.values():
        module = target[: -len(".py")].replace("/", ".")
        imported = subprocess.run(
            [sys.executable, "-c", f"import {module}"], cwd=project, capture_output=True, text=True, env=environment()
        )
        assert imported.returncode == 0, (module, imported.stderr)
    after = _app_tests(project)
    assert after.returncode == 0, after.stdout + after.stderr
    assert after.stdout.count("passed") == 1 and before.stdout.split()[-4:-3] == after.stdout.split()[-4:-3]

    # A second --fix finds nothing more to do.
    snapshot = _tree(project)
    again = _lint(project, "--unsafe-fixes", "--fix")
    assert again.returncode == 0, again.stdout + again.stderr
    assert _tree(project) == snapshot


def test_diff_previews_every_move_and_edit_and_writes_nothing(tmp_path: Path) -> None:
    project = _copy(tmp_path)
    snapshot = _tree(project)
    preview = _lint(project, "--unsafe-fixes", "--diff")
    assert _tree(project) == snapshot
    diff = preview.stdout
    for source, target in MOVES.items():
        assert f"rename from {source}\nrename to {target}\n" in diff
    for created in ("app/users/__init__.py", "app/items/__init__.py"):
        assert f"--- /dev/null\n+++ b/{created}\n" in diff
    expected = _tree(EXPECTED)
    moved_back = {target: source for source, target in MOVES.items()}
    for shown, content in expected.items():
        original = snapshot.get(moved_back.get(shown, shown))
        if shown.endswith(".py") and original is not None and original != content:
            assert f"+++ b/{shown}\n" in diff, shown
    assert "+from app.users.models import User" in diff


def test_without_unsafe_fixes_nothing_changes(tmp_path: Path) -> None:
    project = _copy(tmp_path)
    snapshot = _tree(project)
    result = _lint(project, "--fix")
    assert result.returncode == 1
    assert "FAPI101" in result.stdout
    assert _tree(project) == snapshot
