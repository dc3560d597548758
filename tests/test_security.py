"""Reading untrusted code is safe: the linter never imports, executes or evaluates what
it reads, writes nothing outside the project through symbolic links, and loads no code
that the linted project names."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_bad_input import FIXABLE, FIXED, errors, run_cli

SOURCE = Path(__file__).resolve().parent.parent / "src" / "fastapi_lint"


def _payload(marker: Path, name: str) -> str:
    """Code that leaves a trace if it ever runs."""
    return f"open({str(marker / name)!r}, 'w').write('ran')\n"


def hostile_project(root: Path, marker: Path) -> None:
    """A project whose every module, if imported or run, writes a file into ``marker``.

    Besides the application's modules, it holds files named like the modules the linter
    imports (``click.py``, ``json.py``, a ``libcst`` package), like files Python runs by
    itself (``sitecustomize.py``, a ``.pth`` file) and like the project's own tooling
    (``conftest.py``, ``setup.py``); and code whose literals would run when evaluated.
    """
    marker.mkdir()
    (root / "app" / "core").mkdir(parents=True)
    (root / "libcst").mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "hostile"\n\n[tool.fastapi-lint]\nextend-exclude = ["nothing/*"]\n', encoding="utf-8"
    )
    modules = {
        "app/__init__.py": "",
        "app/core/__init__.py": "",
        "click.py": "",
        "json.py": "",
        "pathspec.py": "",
        "tomllib.py": "",
        "typing_extensions.py": "",
        "libcst/__init__.py": "",
        "sitecustomize.py": "",
        "usercustomize.py": "",
        "conftest.py": "",
        "setup.py": "",
        "app/main.py": "import os\n\nURL = os.getenv('URL')\n",
        "app/db.py": FIXABLE,
    }
    # Enough modules for worker processes to lint them (with -j 2).
    modules.update({f"app/module_{number}.py": f"VALUE = {number}\n" for number in range(50)})
    for relative, body in modules.items():
        name = relative.replace("/", ".")
        (root / relative).write_text(_payload(marker, name) + body, encoding="utf-8")
    (root / "evil.pth").write_text(f"import os; {_payload(marker, 'pth').strip()}\n", encoding="utf-8")
    # Defaults that a careless fix would evaluate to find the value to keep.
    (root / "app" / "core" / "config.py").write_text(
        "import os\n\n"
        "from pydantic_settings import BaseSettings\n\n\n"
        "class Settings(BaseSettings):\n"
        f"    port: int = int(os.getenv('PORT', __import__('builtins').open({str(marker / 'default')!r}, 'w').write('ran')))\n"
        "    url: str = os.getenv('URL', 'sqlite://')\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    "arguments",
    [
        ["check"],
        ["check", "--fix", "--unsafe-fixes"],
        ["check", "--add-noqa"],
        ["check", "--diff", "--output-format", "sarif"],
        ["check", "--statistics", "--no-cache", "-j", "2"],
    ],
    ids=["check", "fix", "add-noqa", "diff", "workers"],
)
@pytest.mark.parametrize("entry", ["console-script", "python-m"])
def test_linting_never_runs_the_code_it_reads(tmp_path: Path, arguments: list[str], entry: str) -> None:
    root, marker = tmp_path / "project", tmp_path / "marker"
    root.mkdir()
    hostile_project(root, marker)
    if entry == "python-m":
        # As the README shows it: run from the project's root, where a ``click.py`` of the
        # project sits first on ``sys.path``.
        result = subprocess.run(
            [sys.executable, "-m", "fastapi_lint", *arguments],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
            timeout=240,
        )
    else:
        result = run_cli(*arguments, cwd=root)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert sorted(os.listdir(marker)) == []
    # The run did lint the project.
    if arguments == ["check"]:
        assert "app/main.py:4:7: FAPI201" in result.stdout
        assert "app/db.py:4:16: FAPI302" in result.stdout
        assert "app/core/config.py:7:21: FAPI201" in result.stdout


def test_the_python_api_never_runs_the_code_it_reads(tmp_path: Path) -> None:
    root, marker = tmp_path / "project", tmp_path / "marker"
    root.mkdir()
    hostile_project(root, marker)
    # The calling program runs beside the project (what its own sys.path holds is its business).
    script = (
        "import fastapi_lint\n"
        "found = fastapi_lint.check_paths(['project'])\n"
        "found += fastapi_lint.check_source(open('project/app/db.py').read(), path='project/app/db.py')\n"
        "print(sorted({d.code for d in found}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['FAPI201', 'FAPI302']"
    assert os.listdir(marker) == []


def test_fixes_do_not_follow_symlinks_out_of_the_project(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    (project / "app").mkdir(parents=True)
    (outside / "lib").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "sample"\n', encoding="utf-8")
    (outside / "target.py").write_text(FIXABLE, encoding="utf-8")
    (outside / "lib" / "vendored.py").write_text(FIXABLE, encoding="utf-8")
    (project / "app" / "linked.py").symlink_to(outside / "target.py")
    (project / "app" / "lib").symlink_to(outside / "lib", target_is_directory=True)
    (project / "shared").mkdir()
    (project / "shared" / "own.py").write_text(FIXABLE, encoding="utf-8")
    (project / "app" / "alias.py").symlink_to(project / "shared" / "own.py")

    result = run_cli("check", "app", "--fix", "--output-format", "concise", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert errors(result) == [
        "error: app/lib/vendored.py: fix not written: it is a symbolic link to a file outside the project",
        "error: app/linked.py: fix not written: it is a symbolic link to a file outside the project",
    ]
    assert (outside / "target.py").read_text(encoding="utf-8") == FIXABLE
    assert (outside / "lib" / "vendored.py").read_text(encoding="utf-8") == FIXABLE
    # A link that stays inside the project is fixed through.
    assert (project / "shared" / "own.py").read_text(encoding="utf-8") == FIXED
    assert (project / "app" / "alias.py").is_symlink()

    added = run_cli("check", "app", "--add-noqa", cwd=project)
    assert (outside / "target.py").read_text(encoding="utf-8") == FIXABLE
    assert "noqa comments not added: it is a symbolic link to a file outside the project" in added.stderr


def test_configuration_cannot_name_code_to_load(tmp_path: Path) -> None:
    """No option loads a plugin: keys that look like one are rejected, and nothing is imported."""
    marker = tmp_path / "marker"
    marker.mkdir()
    (tmp_path / "plugin_module.py").write_text(_payload(marker, "plugin"), encoding="utf-8")
    (tmp_path / "app.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.fastapi-lint]\n"
        'plugins = ["plugin_module"]\n'
        'extend = "plugin_module"\n'
        "[tool.fastapi-lint.rules.plugin_module]\n"
        'module = "plugin_module"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(tmp_path)}
    command = [str(Path(sys.executable).parent / "fastapi-lint"), "check"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2
    assert "unknown option 'plugins'" in result.stderr
    assert "unknown option 'extend'" in result.stderr
    assert "unknown rule code 'plugin_module'" in result.stderr
    assert os.listdir(marker) == []


# Calls that could run code named by the input. The engine's own lazy imports name
# fixed modules; they are listed here, by file, so that a new one is a decision.
_ALLOWED_DYNAMIC_IMPORTS = {"__init__.py", "linter/lazy.py"}


def _calls(tree: ast.AST) -> list[tuple[str, ast.Call]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            name = function.id if isinstance(function, ast.Name) else function.attr if isinstance(function, ast.Attribute) else ""
            found.append((name, node))
    return found


def test_the_linter_has_no_way_to_run_what_it_reads() -> None:
    problems = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [alias.name for alias in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
                if any(name.split(".")[0] in ("pickle", "marshal", "shelve", "runpy", "pkg_resources") for name in names):
                    problems.append(f"{relative}:{node.lineno}: imports {names}")
                if any(name in ("importlib.metadata", "entry_points") for name in names):
                    problems.append(f"{relative}:{node.lineno}: reads entry points")
        for name, call in _calls(tree):
            if name in ("eval", "exec", "__import__", "literal_eval", "run_path", "run_module", "entry_points"):
                problems.append(f"{relative}:{call.lineno}: calls {name}")
            if name == "import_module" and relative not in _ALLOWED_DYNAMIC_IMPORTS:
                problems.append(f"{relative}:{call.lineno}: imports a module by name")
            if name == "compile" and isinstance(call.func, ast.Name):
                # compile() is used to ask CPython whether a file parses: only to an AST.
                flags = call.args[3] if len(call.args) > 3 else None
                if not (isinstance(flags, ast.Attribute) and flags.attr == "PyCF_ONLY_AST"):
                    problems.append(f"{relative}:{call.lineno}: compiles code to run it")
    assert problems == []
