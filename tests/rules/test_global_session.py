"""FAPI301 beyond the case format, and the shared SQLAlchemy knowledge it relies on."""

from __future__ import annotations

from pathlib import Path

from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.engine import Engine, RunOptions
from fastapi_lint.linter.index import ProjectIndex
from fastapi_lint.rules._sqlalchemy import creates_session, is_session_factory, is_session_helper, makes_session_factory
from fastapi_lint.rules.global_session import GlobalSession

CODE = GlobalSession.code

DB_PACKAGE = {
    "app/__init__.py": "",
    "app/db/__init__.py": "from .session import SessionLocal as SessionLocal, get_factory\n",
    "app/db/session.py": """
        from functools import lru_cache

        from sqlalchemy.orm import scoped_session, sessionmaker

        SessionLocal = sessionmaker()
        Registry = scoped_session(SessionLocal)
        Alias = SessionLocal

        @lru_cache
        def get_factory():
            return sessionmaker()

        Built = get_factory()

        def new_session():
            return SessionLocal()

        @lru_cache
        def cached_session():
            return SessionLocal()

        def get_db():
            with SessionLocal() as db:
                yield db

        def ping_pong():
            return pong_ping()

        def pong_ping():
            return ping_pong()
        """,
}


def _index(root: Path) -> ProjectIndex:
    return Engine(Settings(), cwd=root).index_for(root / "app" / "__init__.py")


def _run(root: Path, path: str, codes: list[str] | None = None):
    result = Engine(Settings(select=codes or [CODE]), RunOptions(), cwd=root).run([root / path])
    assert not result.internal_errors and not result.errors, (result.internal_errors, result.errors)
    return result.diagnostics


def test_factories_are_known_across_the_project(project) -> None:
    index = _index(project(DB_PACKAGE))
    assert is_session_factory(index, "app.db.SessionLocal")
    assert is_session_factory(index, "app.db.session.Alias")
    # A factory built by a (cached) function is still a factory.
    assert makes_session_factory(index, "app.db.get_factory")
    assert is_session_factory(index, "app.db.session.Built")
    # Registries are not factories of new sessions.
    assert not is_session_factory(index, "app.db.session.Registry")
    assert not is_session_factory(index, "sqlalchemy.orm.Session")


def test_helpers_returning_sessions(project) -> None:
    index = _index(project(DB_PACKAGE))
    assert is_session_helper(index, "app.db.session.new_session")
    origin = creates_session(index, "app.db.session.new_session")
    assert origin is not None and origin.kind == "function" and origin.location == "app/db/session.py:16"
    # A cached helper hands out one shared session; a generator manages its session.
    assert not is_session_helper(index, "app.db.session.cached_session")
    assert not is_session_helper(index, "app.db.session.get_db")
    # Mutually recursive helpers end.
    assert creates_session(index, "app.db.session.ping_pong") is None


def test_session_classes(project) -> None:
    index = _index(project({"app/__init__.py": "", "app/sessions.py": "import requests\nclass Http(requests.Session):\n    pass\n"}))
    for qualname in ("sqlalchemy.orm.Session", "sqlmodel.Session", "sqlalchemy.ext.asyncio.AsyncSession"):
        origin = creates_session(index, qualname)
        assert origin is not None and origin.kind == "class"
    assert creates_session(index, "requests.Session") is None
    assert creates_session(index, "app.sessions.Http") is None


def test_one_report_per_call_between_global_and_unmanaged(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/db.py": """
                from sqlalchemy.orm import sessionmaker

                SessionLocal = sessionmaker()
                current = None

                def init():
                    global current
                    current = SessionLocal()
                """,
        }
    )
    found = _run(root, "app/db.py", ["FAPI301", "FAPI303"])
    assert [(d.code, d.line) for d in found] == [("FAPI301", 9)]


def test_noqa_silences(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/db.py": """
                from sqlalchemy.orm import sessionmaker

                SessionLocal = sessionmaker()
                db = SessionLocal()  # noqa: FAPI301
                """,
        }
    )
    assert _run(root, "app/db.py") == []


def test_cli_style_run_over_a_project(project) -> None:
    root = project(
        {
            **DB_PACKAGE,
            "app/api/__init__.py": "",
            "app/api/routes.py": """
                from ..db import SessionLocal
                from ..db.session import new_session

                db = SessionLocal()
                other = new_session()
                """,
        }
    )
    result = Engine(Settings(select=[CODE]), RunOptions(), cwd=root).run([root])
    assert sorted((d.path, d.line) for d in result.diagnostics) == [("app/api/routes.py", 5), ("app/api/routes.py", 6)]
