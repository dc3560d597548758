"""Suppressions: line and file noqa comments, FAPI100 unused-noqa and --add-noqa, through the engine
and the console script."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Mapping, Sequence

import libcst as cst
import pytest

from fastapi_lint.linter import engine
from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.diagnostics import Diagnostic
from fastapi_lint.linter.engine import Engine, RunOptions, RunResult
from fastapi_lint.linter.rule import Rule
from fastapi_lint.rules import ALL_RULES
from test_cli import EXAMPLE, run

ENV_READ = 'import os\n\nA = os.getenv("A")\n'


def lint(
    root: Path,
    select: Sequence[str] | None = ("FAPI201", "FAPI100"),
    ignore: Sequence[str] = (),
    per_file_ignores: Mapping[str, list[str]] | None = None,
    fix: bool = False,
    add_noqa: bool = False,
) -> RunResult:
    settings = Settings(
        select=list(select) if select is not None else None,
        ignore=list(ignore),
        per_file_ignores=dict(per_file_ignores or {}),
        base_directory=root,
    )
    result = Engine(settings, RunOptions(fix=fix, add_noqa=add_noqa), cwd=root).run([root])
    assert not result.internal_errors, result.internal_errors
    return result


def found(result: RunResult, code: str | None = None) -> list[tuple[str, int, int, str]]:
    return [(d.path, d.line, d.column, d.code) for d in result.diagnostics if code is None or d.code == code]


def only(result: RunResult, code: str) -> Diagnostic:
    [diagnostic] = [d for d in result.diagnostics if d.code == code]
    return diagnostic


def module(root: Path, relative: str = "app/m.py") -> str:
    return (root / relative).read_text(encoding="utf-8")


# -- line noqa and FAPI100 ---------------------------------------------------------------


def test_a_used_noqa_silences_and_is_not_reported(project) -> None:
    root = project({"app/m.py": 'import os\n\nA = os.getenv("A")  # noqa: FAPI201\n'})
    assert found(lint(root)) == []


def test_unused_code_is_reported_at_the_comment_and_fixed(project) -> None:
    root = project({"app/m.py": "from app.core import settings\n\nA = settings.a  # noqa: FAPI201\n"})
    diagnostic = only(lint(root), "FAPI100")
    assert (diagnostic.path, diagnostic.line, diagnostic.column) == ("app/m.py", 3, 17)
    assert diagnostic.message == "Unused `noqa` directive (unused: FAPI201)"
    assert diagnostic.fix is not None and diagnostic.fix.applicability == "safe"
    fixed = lint(root, fix=True)
    assert fixed.fixed == 1 and found(fixed) == []
    assert module(root) == "from app.core import settings\n\nA = settings.a\n"


def test_mixed_used_and_unused_codes_keep_the_used_one(project) -> None:
    root = project({"app/m.py": 'import os\n\nA = os.getenv("A")  # noqa: FAPI201, FAPI302\n'})
    result = lint(root, select=["FAPI201", "FAPI302", "FAPI100"])
    assert only(result, "FAPI100").message == "Unused `noqa` directive (unused: FAPI302)"
    assert found(result, "FAPI201") == []
    lint(root, select=["FAPI201", "FAPI302", "FAPI100"], fix=True)
    assert module(root) == 'import os\n\nA = os.getenv("A")  # noqa: FAPI201\n'


def test_other_tools_codes_are_kept(project) -> None:
    root = project(
        {
            "app/m.py": """\
                x = 1  # noqa: E501, FAPI201, B008
                y = 2  # noqa: E501
                """
        }
    )
    assert found(lint(root)) == [("app/m.py", 1, 8, "FAPI100")]
    lint(root, fix=True)
    assert module(root) == "x = 1  # noqa: E501, B008\ny = 2  # noqa: E501\n"


def test_a_bare_noqa_is_never_reported(project) -> None:
    root = project({"app/m.py": "x = 1  # noqa\ny = 2  # NOQA\n"})
    assert found(lint(root, select=None)) == []


def test_noqa_inside_a_string_literal_is_not_a_comment(project) -> None:
    root = project(
        {
            "app/m.py": '''\
                import os

                A = os.getenv("A"), "# noqa: FAPI201"
                HELP = """
                # noqa: FAPI201
                """
                """Not a docstring.  # noqa: FAPI201"""
                '''
        }
    )
    # Neither a suppression (the finding stays) nor an unused noqa.
    assert found(lint(root)) == [("app/m.py", 3, 5, "FAPI201")]


def test_deselected_or_ignored_rules_noqa_is_not_judged(project) -> None:
    root = project({"app/m.py": "x = 1  # noqa: FAPI201\n", "tests/test_m.py": "y = 2  # noqa: FAPI201\n"})
    # Selected, and its trigger words are absent: the rule ran and could not fire.
    assert found(lint(root)) == [("app/m.py", 1, 8, "FAPI100"), ("tests/test_m.py", 1, 8, "FAPI100")]
    assert found(lint(root, select=["FAPI100", "FAPI302"])) == []
    assert found(lint(root, select=None, ignore=["FAPI2"])) == []
    assert found(lint(root, per_file_ignores={"tests/*": ["FAPI201"]})) == [("app/m.py", 1, 8, "FAPI100")]


def test_unknown_fastapi_lint_codes_are_reported(project) -> None:
    root = project({"app/m.py": "x = 1  # noqa: FAPI999, E501\n"})
    assert only(lint(root), "FAPI100").message == "Unused `noqa` directive (unknown: FAPI999)"
    lint(root, fix=True)
    assert module(root) == "x = 1  # noqa: E501\n"


def test_fapi100_can_be_ignored_or_silenced(project) -> None:
    root = project({"app/m.py": "x = 1  # noqa: FAPI201\ny = 2  # noqa: FAPI201, FAPI100\n"})
    assert found(lint(root)) == [("app/m.py", 1, 8, "FAPI100")]
    assert found(lint(root, select=None, ignore=["FAPI100"])) == []
    assert found(lint(root, select=["FAPI201"])) == []


@pytest.mark.parametrize(
    "before, after",
    [
        ("x = 1  # noqa: FAPI201 -- legacy reader\n", "x = 1  # -- legacy reader\n"),
        ("x = 1  # noqa: FAPI201  # keep me\n", "x = 1  # keep me\n"),
        ("x = 1  # type: ignore  # noqa: FAPI201\n", "x = 1  # type: ignore\n"),
        ("x = 1  # type: ignore  # noqa: FAPI201 why\n", "x = 1  # type: ignore  # why\n"),
        ("x = 1  # noqa:FAPI201,E501 why\n", "x = 1  # noqa:E501 why\n"),
        ("x = 1  # noqa: FAPI201 FAPI999\n", "x = 1\n"),
        ("x = 1\n# noqa: FAPI201\ny = 2\n", "x = 1\ny = 2\n"),
        ("x = 1\n    # noqa: FAPI201", "x = 1\n"),
        ("x = 1\t# noqa: FAPI201\r\ny = 2\r\n", "x = 1\r\ny = 2\r\n"),
    ],
)
def test_the_fix_keeps_the_rest_of_the_comment_and_converges(project, before: str, after: str) -> None:
    root = project({})
    (root / "app").mkdir()
    (root / "app/m.py").write_bytes(before.encode())
    first = lint(root, fix=True)
    assert found(first) == [] and first.fixed == 1
    assert (root / "app/m.py").read_bytes() == after.encode()
    second = lint(root, fix=True)
    assert second.fixed == 0 and found(second) == []
    assert (root / "app/m.py").read_bytes() == after.encode()


def test_a_file_with_a_syntax_error_gets_no_fapi100(project) -> None:
    root = project({"app/m.py": "def f(:  # noqa: FAPI201\n", "app/n.py": "x = (  # noqa: FAPI201\n"})
    assert found(lint(root, select=None)) == [("app/m.py", 1, 7, "FAPI000"), ("app/n.py", 1, 5, "FAPI000")]
    # Without FAPI000 selected, the file is still checked before its noqa are judged.
    assert found(lint(root)) == []


def test_a_rule_that_fails_does_not_make_its_noqa_unused(project, monkeypatch: pytest.MonkeyPatch) -> None:
    class Exploding(Rule):
        code = "FAPI201"
        name = "env-read-outside-settings"
        summary = "explodes"
        triggers = ("getenv",)

        def visit_Call(self, node: cst.Call) -> None:
            raise ValueError("boom")

    monkeypatch.setattr(engine, "ALL_RULES", tuple(Exploding if r.code == "FAPI201" else r for r in ALL_RULES))
    root = project({"app/m.py": 'import os\n\nA = os.getenv("A")  # noqa: FAPI201\n'})
    settings = Settings(select=["FAPI201", "FAPI100"], base_directory=root)
    result = Engine(settings, RunOptions(fix=True), cwd=root).run([root])
    assert [error.rule for error in result.internal_errors] == ["FAPI201"]
    assert found(result) == [] and module(root).endswith("# noqa: FAPI201\n")


def test_project_level_noqa_is_used_only_where_fapi101_reports(project) -> None:
    layered = {
        f"app/{layer}/{name}.py": "" for layer in ("routers", "models", "schemas") for name in ("users", "items")
    }
    layered.update({f"app/{layer}/__init__.py": "" for layer in ("routers", "models", "schemas")})
    root = project(
        {
            **layered,
            "app/__init__.py": '"""The app."""\n\nVERSION = 1  # noqa: FAPI101\n',
            "app/models/__init__.py": "# noqa: FAPI101\n",
        }
    )
    result = lint(root, select=["FAPI101", "FAPI100"])
    assert found(result) == [("app/models/__init__.py", 1, 1, "FAPI100")]
    assert found(lint(root, select=["FAPI100"])) == []


# -- file-level suppression ------------------------------------------------------------------


def test_file_level_noqa_silences_every_code(project) -> None:
    root = project(
        {
            "app/m.py": '#!/usr/bin/env python\n"""Generated."""\n# fastapi-lint: noqa\nimport os\n\nA = os.getenv("A")  # noqa: FAPI302\n',
            "app/n.py": ENV_READ,
        }
    )
    assert found(lint(root, select=None)) == [("app/n.py", 3, 5, "FAPI201")]


def test_file_level_noqa_with_codes_silences_those_codes(project) -> None:
    root = project(
        {
            "app/m.py": """\
                from sqlalchemy.ext.asyncio import async_sessionmaker
                import os

                A = os.getenv("A")
                factory = async_sessionmaker(engine)

                # fastapi-lint: noqa: FAPI302 -- generated factories
                """,
        }
    )
    assert found(lint(root, select=None)) == [("app/m.py", 4, 5, "FAPI201")]


def test_file_level_noqa_must_be_a_comment_line_with_codes_if_colon(project) -> None:
    root = project(
        {
            "app/m.py": 'import os\n\nA = os.getenv("A")  # fastapi-lint: noqa\n',
            "app/n.py": '# fastapi-lint: noqa:\nimport os\n\nA = os.getenv("A")\n',
            "app/o.py": 'TEXT = """\n# fastapi-lint: noqa\n"""\nimport os\n\nA = os.getenv("A")\n',
        }
    )
    assert found(lint(root)) == [("app/m.py", 3, 5, "FAPI201"), ("app/n.py", 4, 5, "FAPI201"), ("app/o.py", 6, 5, "FAPI201")]


# -- --add-noqa ---------------------------------------------------------------------------------


def test_add_noqa_then_a_clean_run(project) -> None:
    root = project(
        {
            "app/m.py": """\
                import os
                from sqlalchemy.ext.asyncio import async_sessionmaker

                A = os.getenv("A")
                B = os.environ["B"]  # read at import
                factory = async_sessionmaker(engine)   
                """,
        }
    )
    added = lint(root, select=None, add_noqa=True)
    assert added.noqa_added == 3 and found(added) == []
    assert module(root) == textwrap.dedent(
        """\
        import os
        from sqlalchemy.ext.asyncio import async_sessionmaker

        A = os.getenv("A")  # noqa: FAPI201
        B = os.environ["B"]  # read at import  # noqa: FAPI201
        factory = async_sessionmaker(engine)  # noqa: FAPI302
        """
    )
    assert found(lint(root, select=None)) == []


def test_add_noqa_merges_with_existing_comments_and_is_idempotent(project) -> None:
    root = project(
        {
            "app/m.py": """\
                import os

                A = os.getenv("A")  # noqa: E501
                B = os.getenv("B")  # noqa
                C = os.getenv("C")  # noqa: E501 -- long line
                """,
        }
    )
    first = lint(root, add_noqa=True)
    assert first.noqa_added == 2
    expected = 'import os\n\nA = os.getenv("A")  # noqa: E501, FAPI201\nB = os.getenv("B")  # noqa\nC = os.getenv("C")  # noqa: E501, FAPI201 -- long line\n'
    assert module(root) == expected
    second = lint(root, add_noqa=True)
    assert second.noqa_added == 0 and module(root) == expected


def test_add_noqa_puts_the_comment_where_a_multiline_string_ends(project) -> None:
    root = project(
        {
            "app/m.py": '''\
                import os

                A = os.getenv("A", """
                default
                """)
                ''',
        }
    )
    assert lint(root, add_noqa=True).noqa_added == 1
    assert module(root).endswith('"""\ndefault\n""")  # noqa: FAPI201\n')
    assert found(lint(root)) == []


def test_add_noqa_keeps_crlf_and_encoding(project) -> None:
    root = project({})
    (root / "app").mkdir()
    source = '# -*- coding: latin-1 -*-\r\nimport os\r\n\r\nA = os.getenv("\xe9")\r\n'
    (root / "app/m.py").write_bytes(source.encode("latin-1"))
    assert lint(root, add_noqa=True).noqa_added == 1
    expected = source.replace('("\xe9")', '("\xe9")  # noqa: FAPI201')
    assert (root / "app/m.py").read_bytes() == expected.encode("latin-1")


def test_add_noqa_leaves_syntax_errors_and_says_so(project) -> None:
    root = project({"app/m.py": "def f(:\n", "app/n.py": ENV_READ})
    result = lint(root, select=None, add_noqa=True)
    assert result.noqa_added == 1
    assert found(result) == [("app/m.py", 1, 7, "FAPI000")]
    assert [(error.path, "syntax error" in error.message) for error in result.errors] == [("app/m.py", True)]
    assert module(root, "app/m.py") == "def f(:\n"


def test_add_noqa_on_the_example_project_through_the_console_script(tmp_path: Path) -> None:
    app = tmp_path / "layered_app"
    shutil.copytree(EXAMPLE, app)
    assert run("check", ".", cwd=app).returncode == 1
    added = run("check", ".", "--add-noqa", cwd=app)
    assert added.returncode == 0, added.stderr
    assert "Added 8 noqa comments." in added.stderr
    # FAPI101, project-level, is silenced on line 1 of the empty package __init__.py.
    assert (app / "app/__init__.py").read_text() == "# noqa: FAPI101\n"
    clean = run("check", ".", cwd=app)
    assert clean.returncode == 0, clean.stdout
    again = run("check", ".", "--add-noqa", cwd=app)
    assert "Added 0 noqa comments." in again.stderr
    # Once the finding is fixed by hand, its comment is reported, and fixed away.
    session = app / "app/db/session.py"
    session.write_text(session.read_text().replace("async_sessionmaker(async_engine)", "async_sessionmaker(async_engine, expire_on_commit=False)"))
    stale = run("check", ".", cwd=app)
    assert stale.returncode == 1 and "app/db/session.py:11:" in stale.stdout and "FAPI100" in stale.stdout
    assert run("check", ".", "--fix", cwd=app).returncode == 0
    assert "async_sessionmaker(async_engine, expire_on_commit=False)\n" in session.read_text()
