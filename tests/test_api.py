"""The Python API: ``fastapi_lint.check_paths`` and ``fastapi_lint.check_source``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import fastapi_lint
from fastapi_lint import CheckError, ConfigError, Diagnostic, Settings, check_paths, check_source
from conftest import write_project

SESSION_MODULE = """
    from sqlalchemy.orm import sessionmaker

    SessionLocal = sessionmaker()
"""

# Unmanaged only because SessionLocal, from another module, is a session factory.
ROUTER = """
    from app.db.session import SessionLocal


    def count_users() -> int:
        db = SessionLocal()
        return db.query(1).count()
"""

ASYNC_FACTORY = """
    from sqlalchemy.ext.asyncio import async_sessionmaker

    factory = async_sessionmaker(engine)
"""


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/db/__init__.py": "",
            "app/db/session.py": SESSION_MODULE,
            "app/users.py": ROUTER,
            "app/factory.py": ASYNC_FACTORY,
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(diagnostics: list[Diagnostic]) -> list[tuple[str, int, str]]:
    return [(diagnostic.path, diagnostic.line, diagnostic.code) for diagnostic in diagnostics]


def test_check_paths_reports_findings_across_modules_sorted_with_relative_paths(app: Path) -> None:
    diagnostics = check_paths([app / "app"])
    assert findings(diagnostics) == [("app/factory.py", 4, "FAPI302"), ("app/users.py", 6, "FAPI303")]
    assert all(isinstance(diagnostic, Diagnostic) for diagnostic in diagnostics)
    assert diagnostics[0].fix is not None and diagnostics[0].fix.applicability == "safe"


def test_check_paths_takes_a_single_path_as_a_string(app: Path) -> None:
    # Not iterated as the characters "a", "p", "p".
    assert findings(check_paths("app/users.py")) == [("app/users.py", 6, "FAPI303")]


def test_check_paths_changes_no_file(app: Path) -> None:
    before = (app / "app/factory.py").read_text()
    check_paths(["app"])
    assert (app / "app/factory.py").read_text() == before


def test_config_mapping_is_applied(app: Path) -> None:
    assert findings(check_paths(["app"], config={"select": ["FAPI3"], "ignore": ["FAPI303"]})) == [
        ("app/factory.py", 4, "FAPI302")
    ]


def test_config_mapping_rule_options_are_applied(app: Path) -> None:
    (app / "app/sync.py").write_text("from sqlalchemy.orm import sessionmaker\n\nmaker = sessionmaker(bind=None)\n")
    assert "app/sync.py" not in {path for path, _, _ in findings(check_paths(["app"]))}
    with_sync = check_paths(["app"], config={"rules": {"FAPI302": {"include-sync": True}}})
    assert ("app/sync.py", 3, "FAPI302") in findings(with_sync)


def test_invalid_config_mapping_raises_config_error_listing_every_problem(app: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        check_paths(["app"], config={"select": ["FAPI9"], "colour": True, "rules": {"FAPI302": {"include-sync": "yes"}}})
    problems = raised.value.problems
    assert len(problems) == 3, problems
    assert any("FAPI9" in problem for problem in problems)
    assert any("unknown option 'colour'" in problem for problem in problems)
    assert any("include-sync: expected a boolean" in problem for problem in problems)


def test_config_of_the_wrong_type_is_a_type_error(app: Path) -> None:
    with pytest.raises(TypeError, match="config must be a Settings, a mapping or None"):
        check_paths(["app"], config=["FAPI302"])  # type: ignore[arg-type]


def test_settings_object_is_used_as_is(app: Path) -> None:
    assert findings(check_paths(["app"], config=Settings(select=["FAPI303"]))) == [("app/users.py", 6, "FAPI303")]


def test_no_config_reads_the_nearest_pyproject_of_each_path_not_of_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {"app/__init__.py": "", "app/factory.py": ASYNC_FACTORY}
    (tmp_path / "quiet").mkdir()
    (tmp_path / "loud").mkdir()
    write_project(tmp_path / "quiet", files)
    write_project(tmp_path / "loud", files)
    with (tmp_path / "quiet/pyproject.toml").open("a") as config:
        config.write('\n[tool.fastapi-lint]\nignore = ["FAPI302"]\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    diagnostics = check_paths([tmp_path / "quiet", tmp_path / "loud"])
    assert [(Path(diagnostic.path).parts[-3], diagnostic.code) for diagnostic in diagnostics] == [("loud", "FAPI302")]


def test_a_missing_path_raises_file_not_found(app: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file or directory: 'nope.py'"):
        check_paths(["app", "nope.py"])


def test_an_unreadable_file_raises_check_error_keeping_the_other_findings(app: Path) -> None:
    (app / "app/latin.py").write_bytes(b"name = '\xe9'\n")
    with pytest.raises(CheckError) as raised:
        check_paths(["app"])
    assert raised.value.problems == ["app/latin.py: cannot decode: not valid UTF-8 and no PEP 263 coding declaration"]
    assert ("app/users.py", 6, "FAPI303") in findings(raised.value.diagnostics)


def test_check_source_resolves_names_from_the_rest_of_the_project(app: Path) -> None:
    # The text on disk is clean; the unsaved text is what is linted.
    (app / "app/users.py").write_text("")
    source = textwrap.dedent(ROUTER)
    assert findings(check_source(source, path="app/users.py")) == [("app/users.py", 6, "FAPI303")]
    # Without the other module, SessionLocal is an unknown name: the finding came from the index.
    (app / "app/db/session.py").unlink()
    assert check_source(source, path="app/users.py") == []


def test_check_source_gives_the_path_as_given_and_fixes_for_the_source(app: Path) -> None:
    source = "from sqlalchemy.ext.asyncio import async_sessionmaker\nfactory = async_sessionmaker(engine)\n"
    given = str(app / "app" / "new_module.py")
    [diagnostic] = check_source(source, path=given)
    assert (diagnostic.path, diagnostic.code, diagnostic.line) == (given, "FAPI302", 2)
    assert diagnostic.fix is not None
    [edit] = diagnostic.fix.edits
    assert edit.path == given
    lines = source.splitlines(keepends=True)
    assert lines[edit.line - 1][edit.column - 1 :].startswith("async_sessionmaker(engine)")


def test_check_source_reads_the_nearest_pyproject_of_the_path(app: Path) -> None:
    with (app / "pyproject.toml").open("a") as config:
        config.write('\n[tool.fastapi-lint]\nignore = ["FAPI303"]\n')
    assert check_source(textwrap.dedent(ROUTER), path="app/users.py") == []


def test_check_source_leaves_out_syntax_errors_when_not_selected(app: Path) -> None:
    assert [diagnostic.code for diagnostic in check_source("def broken(:\n", path="app/x.py")] == ["FAPI000"]
    assert check_source("def broken(:\n", path="app/x.py", config={"ignore": ["FAPI000"]}) == []


def test_check_source_rejects_what_is_not_python_text(app: Path) -> None:
    with pytest.raises(TypeError, match="source must be a str, not bytes"):
        check_source(b"x = 1\n", path="app/x.py")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="app/x.py: file contains a null byte"):
        check_source("x = 1\x00\n", path="app/x.py")


def test_public_names() -> None:
    assert set(fastapi_lint.__all__) == {
        "__version__", "check_paths", "check_source", "CheckError", "ConfigError", "Settings", "Diagnostic", "Edit", "Fix"
    }
    for name in fastapi_lint.__all__:
        assert getattr(fastapi_lint, name) is not None
    assert fastapi_lint.Fix.__module__ == "fastapi_lint.linter.diagnostics"
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        fastapi_lint.nothing  # noqa: B018


def test_importing_the_package_and_its_types_stays_cheap(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("x = 1\n")
    program = textwrap.dedent(
        """
        import sys
        import fastapi_lint
        from fastapi_lint import Diagnostic, Settings, ConfigError
        print("engine" if "fastapi_lint.linter.engine" in sys.modules else "-")
        assert fastapi_lint.check_paths(["plain.py"]) == []
        print("parsed" if "libcst._nodes" in sys.modules else "-")
        """
    )
    result = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True)
    assert result.stdout.split() == ["-", "-"], result.stderr
