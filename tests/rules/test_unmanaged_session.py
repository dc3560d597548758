"""FAPI303 beyond the case format: messages, and how far the ``finally`` analysis reaches."""

from __future__ import annotations

from pathlib import Path

from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.engine import Engine, RunOptions
from fastapi_lint.rules.unmanaged_session import UnmanagedSession

CODE = UnmanagedSession.code

HEADER = """
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import sessionmaker

SessionLocal = sessionmaker()
AsyncSessionLocal = async_sessionmaker()
"""


def _lint(project, body: str) -> list:
    root: Path = project({"app/__init__.py": "", "app/service.py": HEADER + body})
    result = Engine(Settings(select=[CODE]), RunOptions(), cwd=root).run([root / "app/service.py"])
    assert not result.internal_errors and not result.errors, (result.internal_errors, result.errors)
    return result.diagnostics


def test_async_functions_are_told_to_use_async_with(project) -> None:
    [found] = _lint(
        project,
        """
async def create(data):
    session = AsyncSessionLocal()
    session.add(data)
    await session.commit()
    await session.close()
""",
    )
    assert "`async with AsyncSessionLocal() as session:`" in found.message
    assert "finally: await session.close()" in found.message
    assert found.column == 15


def test_nested_try_finally_inside_the_creating_block(project) -> None:
    assert (
        _lint(
            project,
            """
def create(data, flag):
    if flag:
        db = SessionLocal()
        try:
            with_data = db.merge(data)
        finally:
            db.close()
        return with_data
""",
        )
        == []
    )


def test_finally_in_a_sibling_branch_does_not_count(project) -> None:
    found = _lint(
        project,
        """
def create(data, flag):
    db = SessionLocal()
    if flag:
        return db.query(data).all()
    else:
        try:
            db.add(data)
        finally:
            db.close()
""",
    )
    # The ``try`` is in a block nested below the creation, not covering the ``return`` path;
    # it is not "a later statement of the same block", so the session is reported.
    assert [d.line for d in found] == [9]


def test_handler_close_needs_a_close_on_the_normal_path(project) -> None:
    found = _lint(
        project,
        """
def only_on_error(data):
    db = SessionLocal()
    try:
        db.add(data)
    except Exception:
        db.close()
        raise
""",
    )
    assert [d.line for d in found] == [9]


def test_close_helper_in_finally_counts(project) -> None:
    assert (
        _lint(
            project,
            """
def close_quietly(db):
    db.close()

def create(data):
    db = SessionLocal()
    try:
        db.add(data)
    finally:
        close_quietly(db)
""",
        )
        == []
    )


def test_sessions_captured_or_stored_are_left_alone(project) -> None:
    assert (
        _lint(
            project,
            """
import functools

def captured(tasks):
    db = SessionLocal()
    tasks.append(lambda: db.close())

def partial():
    return functools.partial(print, SessionLocal())

def stored(holder):
    holder["db"] = SessionLocal()
""",
        )
        == []
    )


def test_module_and_class_level_sessions_are_fapi301s(project) -> None:
    assert (
        _lint(
            project,
            """
db = SessionLocal()

class Repo:
    session = SessionLocal()
""",
        )
        == []
    )
