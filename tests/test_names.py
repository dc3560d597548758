"""Name resolution through imports, relative imports, aliases and shadowing."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from fastapi_lint.linter.names import resolve, resolve_relative, scan_module_bindings
from fastapi_lint.linter.walk import Walker


def resolved_calls(source: str, module: str = "app.api.routes", is_package: bool = False) -> list[str | None]:
    tree = cst.parse_module(textwrap.dedent(source))
    scope = scan_module_bindings(tree, module, is_package)
    found: list[str | None] = []
    walker: Walker

    def on_call(node: cst.CSTNode) -> None:
        assert isinstance(node, cst.Call)
        found.append(resolve(walker.scope, node.func))

    walker = Walker(scope, module, is_package, {cst.Call: [on_call]}, {})
    walker.walk(tree)
    return found


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import os\nos.getenv('X')\n", "os.getenv"),
        ("import os as o\no.getenv('X')\n", "os.getenv"),
        ("from os import getenv as ge\nge('X')\n", "os.getenv"),
        ("from os import environ\nenviron.get('X')\n", "os.environ.get"),
        ("import os.path\nos.path.join('a')\n", "os.path.join"),
        ("import sqlalchemy.ext.asyncio as sa\nsa.AsyncSession()\n", "sqlalchemy.ext.asyncio.AsyncSession"),
        ("from .db import SessionLocal\nSessionLocal()\n", "app.api.db.SessionLocal"),
        ("from ..db import SessionLocal\nSessionLocal()\n", "app.db.SessionLocal"),
        ("from . import deps\ndeps.get_db()\n", "app.api.deps.get_db"),
        ("def helper(): ...\nhelper()\n", "app.api.routes.helper"),
        ("print('x')\n", "builtins.print"),
        ("undefined_name()\n", None),
    ],
)
def test_module_level_resolution(source: str, expected: str | None) -> None:
    assert resolved_calls(source) == [expected]


def test_parameter_shadows_an_import() -> None:
    source = """
        from os import getenv
        def read(getenv):
            return getenv("X")
        getenv("Y")
    """
    assert resolved_calls(source) == [None, "os.getenv"]


def test_later_module_level_definition_shadows_an_import() -> None:
    source = """
        from os import getenv
        def getenv(name):
            return name
        getenv("X")
    """
    assert resolved_calls(source) == ["app.api.routes.getenv"]


def test_function_local_import_and_alias() -> None:
    source = """
        def send():
            import smtplib as mail
            client = mail.SMTP
            client("host")
    """
    assert resolved_calls(source) == ["smtplib.SMTP"]


def test_class_scope_is_not_visible_from_methods() -> None:
    source = """
        import os
        class Settings:
            os = None
            def read(self):
                return os.getenv("X")
    """
    assert resolved_calls(source) == ["os.getenv"]


def test_conditional_import_fallback_keeps_the_import() -> None:
    source = """
        try:
            from sqlalchemy.ext.asyncio import async_sessionmaker
        except ImportError:
            async_sessionmaker = None
        async_sessionmaker()
    """
    assert resolved_calls(source) == ["sqlalchemy.ext.asyncio.async_sessionmaker"]


def test_relative_imports_from_a_package() -> None:
    assert resolve_relative("app.db", True, 1, "session") == "app.db.session"
    assert resolve_relative("app.db.session", False, 1, None) == "app.db"
    assert resolve_relative("app", False, 3, "x") is None
