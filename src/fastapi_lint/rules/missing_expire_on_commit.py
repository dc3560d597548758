"""FAPI302 missing-expire-on-commit: async sessions that expire every object on commit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Sequence

import libcst as cst

from fastapi_lint.linter.rule import FixSpec, Invalid, NodeEdit, Option, Rule, Valid
from fastapi_lint.rules._sqlalchemy import (
    ASYNC_SESSION_CLASSES,
    ASYNC_SESSIONMAKERS,
    SYNC_SESSION_CLASSES,
    SYNC_SESSIONMAKERS,
)

if TYPE_CHECKING:
    from fastapi_lint.linter.ast_summary import CallCensus
    from fastapi_lint.linter.index import ProjectIndex

Flavour = Literal["async", "sync"]

_JUDGED = ASYNC_SESSION_CLASSES | ASYNC_SESSIONMAKERS | SYNC_SESSIONMAKERS | SYNC_SESSION_CLASSES

KEYWORD = "expire_on_commit"

# SQLAlchemy 1.4 still accepted these positionally: from this many positional
# arguments on, ``expire_on_commit`` itself may be one of them.
_POSITIONAL_LIMIT = {"sessionmaker": 4, "Session": 3}


class MissingExpireOnCommit(Rule):
    """## What it does
    Flags `AsyncSession(...)`, `async_sessionmaker(...)` and
    `sessionmaker(..., class_=AsyncSession)` (SQLAlchemy's, and SQLModel's
    `AsyncSession` from `sqlmodel.ext.asyncio.session`) created without
    `expire_on_commit=False`, or with `expire_on_commit=True` spelled out.

    A call that passes `**kwargs` (which may carry the keyword) or a non-literal
    value (`expire_on_commit=settings.expire`) is not flagged, nor is a call of a
    project factory (`SessionLocal()`): the factory is flagged where it is created.

    ## Why is this bad?
    With the default `expire_on_commit=True`, `commit()` expires every attribute of
    every object the session has loaded. In async code the next attribute access
    (`user.name` in the response, after `await session.commit()`) needs implicit IO,
    which raises `sqlalchemy.exc.MissingGreenlet` instead of loading the value; at
    best it issues one lazy refresh query per object. SQLAlchemy's asyncio
    documentation recommends `expire_on_commit=False` for async sessions.

    ## Example
    ```python
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    engine = create_async_engine("postgresql+asyncpg://localhost/app")
    SessionLocal = async_sessionmaker(engine)
    ```

    ## Use instead
    ```python
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    engine = create_async_engine("postgresql+asyncpg://localhost/app")
    SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
    ```

    ## Fix safety
    When the keyword is missing, the fix adds `expire_on_commit=False` as the last
    argument, keeping the call's layout (one line stays one line; a multi-line call
    gets a new line indented like the other arguments, with a trailing comma when
    the last argument has one) and its comments. It is safe: objects keep the values
    they had at commit instead of reloading them, and in async code that reload is
    what fails. Call `await session.refresh(obj)` where a value changed by the
    database itself (a trigger) must be read after commit.

    An explicit `expire_on_commit=True` is a deliberate choice: the fix that turns it
    into `False` is unsafe (offered only with `--unsafe-fixes`), since code written
    around that choice may read attributes after commit expecting fresh values.

    ## Options
    - `include-sync` (bool, default `false`): also flag sync `sessionmaker(...)` and
      `Session(...)` (SQLAlchemy's and SQLModel's). There expiry does not fail, but
      every object reloads lazily after commit, one query each, and raises
      `DetachedInstanceError` once the session is closed.
    """

    code = "FAPI302"
    name = "missing-expire-on-commit"
    summary = "Async session or session factory created without `expire_on_commit=False`"
    fix_availability = "safe"
    triggers = ("Session", "sessionmaker")
    triggers_in_code = True
    surveys_calls = True

    @classmethod
    def may_fire(cls, census: CallCensus, index: ProjectIndex) -> bool:
        # ``_flavour`` judges only calls of these names (sync ones when configured to),
        # a ``with`` item too: ``async with AsyncSession(engine) as session:`` expires on commit.
        return any(index.canonical(callee) in _JUDGED for callee in (*census.callees, *census.entered))

    options = {
        "include-sync": Option(
            bool,
            False,
            "Also flag sync `sessionmaker(...)` and `Session(...)` without `expire_on_commit=False`.",
        )
    }

    _CONSEQUENCE = {
        "async": (
            "after `commit()` every loaded attribute is expired, and in async code the next attribute "
            "access triggers implicit IO that raises `MissingGreenlet` (at best, a lazy refresh query per object)"
        ),
        "sync": (
            "after `commit()` every loaded attribute is expired, so the next attribute access issues a lazy "
            "refresh query per object, and raises `DetachedInstanceError` once the session is closed"
        ),
    }
    MISSING = "{call} keeps the default `expire_on_commit=True`: {consequence}. Pass `expire_on_commit=False`."
    EXPLICIT = (
        "{call} sets `expire_on_commit=True`: {consequence}. Pass `expire_on_commit=False`, "
        "and refresh explicitly (`session.refresh(obj)`) where fresh values are needed."
    )
    FIX_ADD = "Add `expire_on_commit=False`"
    FIX_FLIP = "Set `expire_on_commit=False`"

    def visit_Call(self, node: cst.Call) -> None:
        found = self._flavour(node)
        if found is None:
            return
        flavour, call = found
        consequence = self._CONSEQUENCE[flavour]
        keyword = _keyword(node.args, KEYWORD)
        if keyword is not None:
            if _is_true(keyword.value):
                fix = FixSpec("unsafe", self.FIX_FLIP, [NodeEdit(keyword.value, cst.Name("False"))])
                self.report(keyword, self.EXPLICIT.format(call=call, consequence=consequence), fix=fix)
            return
        if any(arg.star == "**" for arg in node.args):
            return
        fix = FixSpec("safe", self.FIX_ADD, [NodeEdit(node, with_keyword(node))])
        self.report(node, self.MISSING.format(call=call, consequence=consequence), fix=fix)

    # -- what is being called ------------------------------------------------

    def _flavour(self, node: cst.Call) -> tuple[Flavour, str] | None:
        """Whether the call creates async (or, when asked, sync) sessions, and how to name it."""
        qualname = self.context.canonical(node.func)
        if qualname is None:
            return None
        include_sync = bool(self.settings.get("include-sync", False))
        if qualname in ASYNC_SESSION_CLASSES or qualname in ASYNC_SESSIONMAKERS:
            return "async", self._describe(node.func, qualname)
        if qualname in SYNC_SESSIONMAKERS:
            return self._sessionmaker_flavour(node, qualname, include_sync)
        if include_sync and qualname in SYNC_SESSION_CLASSES:
            if _may_pass_positionally(node, _POSITIONAL_LIMIT["Session"]):
                return None
            return "sync", self._describe(node.func, qualname)
        return None

    def _sessionmaker_flavour(self, node: cst.Call, qualname: str, include_sync: bool) -> tuple[Flavour, str] | None:
        """``sessionmaker`` makes what its ``class_`` is; an unknown class is not judged."""
        if _may_pass_positionally(node, _POSITIONAL_LIMIT["sessionmaker"]):
            return None
        class_arg = _class_argument(node)
        if class_arg is None:
            return ("sync", self._describe(node.func, qualname)) if include_sync else None
        described = self._describe(node.func, qualname, f"..., class_={self._code(class_arg)}")
        class_name = self.context.canonical(class_arg)
        if self.context.index.is_subclass(class_name, ASYNC_SESSION_CLASSES):
            return "async", described
        if include_sync and self.context.index.is_subclass(class_name, SYNC_SESSION_CLASSES):
            return "sync", described
        return None

    def _describe(self, func: cst.BaseExpression, qualname: str, arguments: str = "...") -> str:
        """The call as written, with the real name when an alias hides it: "`mk(...)` (`async_sessionmaker`)"."""
        written = self._code(func)
        real = qualname.rsplit(".", 1)[-1]
        described = f"`{written}({arguments})`"
        return described if written.rsplit(".", 1)[-1] == real else f"{described} (`{real}`)"

    def _code(self, node: cst.CSTNode) -> str:
        text = self.context.tree.code_for_node(node)
        return text if "\n" not in text else " ".join(text.split())

    # -- cases ---------------------------------------------------------------------

    VALID = [
        Valid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
            """
        ),
        Valid(
            """
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(bind=engine, class_=AsyncSession, expire_on_commit=False)
            """
        ),
        # A class that is not an async session: its expiry is not ours to judge.
        Valid(
            """
            from sqlalchemy.orm import sessionmaker

            from app.sessions import ReportingSession

            SessionLocal = sessionmaker(bind=engine, class_=ReportingSession)
            """,
            files={"app/__init__.py": "", "app/sessions.py": "class ReportingSession:\n    pass\n"},
        ),
        # Sync sessions only with include-sync.
        Valid(
            """
            from sqlalchemy.orm import Session, sessionmaker

            SessionLocal = sessionmaker(bind=engine)
            with Session(engine) as session:
                session.commit()
            """
        ),
        # Not a literal: the configuration decides.
        Valid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            def make(engine, flag: bool):
                return async_sessionmaker(engine, expire_on_commit=flag)
            """
        ),
        # ``**options`` may carry the keyword.
        Valid(
            """
            from sqlalchemy.ext.asyncio import AsyncSession

            def open_session(engine, **options):
                return AsyncSession(engine, **options)
            """
        ),
        # Calling the project's factory: the factory is judged where it is created.
        Valid(
            """
            from app.db import SessionLocal

            async def handler():
                async with SessionLocal() as session:
                    await session.commit()
            """,
            files={
                "app/__init__.py": "",
                "app/db.py": (
                    "from sqlalchemy.ext.asyncio import async_sessionmaker\n\n"
                    "SessionLocal = async_sessionmaker(engine, expire_on_commit=False)\n"
                ),
            },
        ),
        # Project functions that only share the names.
        Valid(
            """
            from app.factories import AsyncSession, async_sessionmaker

            session = AsyncSession(engine)
            maker = async_sessionmaker(engine)
            """,
            files={
                "app/__init__.py": "",
                "app/factories.py": "def AsyncSession(engine):\n    pass\n\ndef async_sessionmaker(engine):\n    pass\n",
            },
        ),
        Valid(
            """
            def AsyncSession(engine):
                return engine

            session = AsyncSession(engine)
            """
        ),
        # A parameter shadowing the import.
        Valid(
            """
            from sqlalchemy.ext.asyncio import AsyncSession

            def build(AsyncSession, engine):
                return AsyncSession(engine)
            """
        ),
        # A local variable shadowing the import.
        Valid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            def build(engine, factory):
                async_sessionmaker = factory
                return async_sessionmaker(engine)
            """
        ),
        # A third-party class of the same name.
        Valid(
            """
            from otherlib.asyncio import AsyncSession

            session = AsyncSession(engine)
            """
        ),
        # Annotations are not calls.
        Valid(
            """
            from sqlalchemy.ext.asyncio import AsyncSession

            async def handler(session: AsyncSession) -> None:
                await session.commit()
            """
        ),
        # SQLAlchemy 1.4 positional arguments may hold ``expire_on_commit``.
        Valid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(engine, Session, True, True, False)
            """,
            options={"include-sync": True},
        ),
    ]
    INVALID = [
        Invalid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(engine)
            """,
            line=4,
            message_contains="`async_sessionmaker(...)` keeps the default `expire_on_commit=True`",
            expected_fix="""
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
            """,
        ),
        Invalid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker as mk

            SessionLocal = mk(bind=engine)
            """,
            line=4,
            message_contains="`mk(...)` (`async_sessionmaker`)",
            expected_fix="""
            from sqlalchemy.ext.asyncio import async_sessionmaker as mk

            SessionLocal = mk(bind=engine, expire_on_commit=False)
            """,
        ),
        Invalid(
            """
            import sqlalchemy.ext.asyncio as sa_async

            async def handler(engine):
                async with sa_async.AsyncSession(engine) as session:
                    await session.commit()
            """,
            line=5,
            message_contains="MissingGreenlet",
            expected_fix="""
            import sqlalchemy.ext.asyncio as sa_async

            async def handler(engine):
                async with sa_async.AsyncSession(engine, expire_on_commit=False) as session:
                    await session.commit()
            """,
        ),
        Invalid(
            """
            from sqlmodel.ext.asyncio.session import AsyncSession

            async def handler(engine):
                async with AsyncSession(engine) as session:
                    await session.commit()
            """,
            line=5,
            expected_fix="""
            from sqlmodel.ext.asyncio.session import AsyncSession

            async def handler(engine):
                async with AsyncSession(engine, expire_on_commit=False) as session:
                    await session.commit()
            """,
        ),
        # The empty call.
        Invalid(
            """
            from sqlalchemy.ext.asyncio import AsyncSession

            session = AsyncSession()
            """,
            line=4,
            expected_fix="""
            from sqlalchemy.ext.asyncio import AsyncSession

            session = AsyncSession(expire_on_commit=False)
            """,
        ),
        Invalid(
            """
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(bind=engine, class_=AsyncSession)
            """,
            line=5,
            message_contains="`sessionmaker(..., class_=AsyncSession)`",
            expected_fix="""
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(bind=engine, class_=AsyncSession, expire_on_commit=False)
            """,
        ),
        Invalid(
            """
            from sqlalchemy.ext.asyncio import AsyncSession as AS
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(bind=engine, class_=AS)
            """,
            line=5,
            expected_fix="""
            from sqlalchemy.ext.asyncio import AsyncSession as AS
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(bind=engine, class_=AS, expire_on_commit=False)
            """,
        ),
        # SQLAlchemy 1.4: ``class_`` as the second positional argument.
        Invalid(
            """
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(engine, AsyncSession)
            """,
            line=5,
            expected_fix="""
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(engine, AsyncSession, expire_on_commit=False)
            """,
        ),
        # A project subclass of AsyncSession, defined in another module.
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            from app.sessions import TenantSession

            SessionLocal = sessionmaker(bind=engine, class_=TenantSession)
            """,
            line=6,
            files={
                "app/__init__.py": "",
                "app/sessions.py": (
                    "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
                    "class TenantSession(AsyncSession):\n    pass\n"
                ),
            },
            expected_fix="""
            from sqlalchemy.orm import sessionmaker

            from app.sessions import TenantSession

            SessionLocal = sessionmaker(bind=engine, class_=TenantSession, expire_on_commit=False)
            """,
        ),
        # A relative import through the package's re-export.
        Invalid(
            """
            from . import make_factory

            SessionLocal = make_factory(engine)
            """,
            path="app/db/session.py",
            line=4,
            files={
                "app/__init__.py": "",
                "app/db/__init__.py": "from .base import make_factory\n",
                "app/db/base.py": "from sqlalchemy.ext.asyncio import async_sessionmaker as make_factory\n",
            },
            expected_fix="""
            from . import make_factory

            SessionLocal = make_factory(engine, expire_on_commit=False)
            """,
        ),
        # Sync sessions with include-sync.
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(bind=engine)
            """,
            line=4,
            options={"include-sync": True},
            message_contains="DetachedInstanceError",
            expected_fix="""
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(bind=engine, expire_on_commit=False)
            """,
        ),
        Invalid(
            """
            from sqlalchemy.orm import Session

            def work(engine):
                with Session(engine) as session:
                    session.commit()
            """,
            line=5,
            options={"include-sync": True},
            expected_fix="""
            from sqlalchemy.orm import Session

            def work(engine):
                with Session(engine, expire_on_commit=False) as session:
                    session.commit()
            """,
        ),
        # An explicit True: the fix is unsafe, applied only with unsafe fixes...
        Invalid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(engine, expire_on_commit=True)
            """,
            line=4,
            unsafe_fixes=True,
            message_contains="sets `expire_on_commit=True`",
            expected_fix="""
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
            """,
        ),
        # ...and not otherwise.
        Invalid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(engine, expire_on_commit=True)
            """,
            line=4,
        ),
        # Multi-line, trailing comma.
        Invalid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(
                engine,
                autoflush=False,
            )
            """,
            line=4,
            expected_fix="""
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(
                engine,
                autoflush=False,
                expire_on_commit=False,
            )
            """,
        ),
        # Multi-line, no trailing comma.
        Invalid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(
                engine,
                autoflush=False
            )
            """,
            line=4,
            expected_fix="""
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(
                engine,
                autoflush=False,
                expire_on_commit=False
            )
            """,
        ),
        # Hanging indent, aligned with the opening parenthesis.
        Invalid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(engine,
                                              autoflush=False)
            """,
            line=4,
            expected_fix="""
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(engine,
                                              autoflush=False,
                                              expire_on_commit=False)
            """,
        ),
        # Comments inside the call survive.
        Invalid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(
                engine,  # the async engine
                autoflush=False,  # flush by hand
            )
            """,
            line=4,
            expected_fix="""
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(
                engine,  # the async engine
                autoflush=False,  # flush by hand
                expire_on_commit=False,
            )
            """,
        ),
        Invalid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(engine)  # the factory
            """,
            line=4,
            expected_fix="""
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(engine, expire_on_commit=False)  # the factory
            """,
        ),
        # Inside a function body: continuation lines keep their indentation.
        Invalid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            def make_factory(engine):
                return async_sessionmaker(
                    engine,
                    autoflush=False,
                )
            """,
            line=5,
            expected_fix="""
            from sqlalchemy.ext.asyncio import async_sessionmaker

            def make_factory(engine):
                return async_sessionmaker(
                    engine,
                    autoflush=False,
                    expire_on_commit=False,
                )
            """,
        ),
        # Inside a class body.
        Invalid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            class Database:
                factory = async_sessionmaker(
                    engine,
                    autoflush=False
                )
            """,
            line=5,
            expected_fix="""
            from sqlalchemy.ext.asyncio import async_sessionmaker

            class Database:
                factory = async_sessionmaker(
                    engine,
                    autoflush=False,
                    expire_on_commit=False
                )
            """,
        ),
        # One argument on its own line.
        Invalid(
            """
            from sqlalchemy.ext.asyncio import AsyncSession

            async def handler(engine):
                session = AsyncSession(
                    engine
                )
                await session.commit()
            """,
            line=5,
            expected_fix="""
            from sqlalchemy.ext.asyncio import AsyncSession

            async def handler(engine):
                session = AsyncSession(
                    engine,
                    expire_on_commit=False
                )
                await session.commit()
            """,
        ),
        # Spaces around ``=`` follow the call's own style.
        Invalid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(bind = engine)
            """,
            line=4,
            expected_fix="""
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(bind = engine, expire_on_commit = False)
            """,
        ),
        # Several findings in one module.
        Invalid(
            """
            from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

            A = async_sessionmaker(engine)
            B = AsyncSession(engine)
            """,
            line=4,
            count=2,
            expected_fix="""
            from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

            A = async_sessionmaker(engine, expire_on_commit=False)
            B = AsyncSession(engine, expire_on_commit=False)
            """,
        ),
    ]


# -- arguments ----------------------------------------------------------------------


def _keyword(args: Sequence[cst.Arg], name: str) -> cst.Arg | None:
    for arg in args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def _is_true(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def _positional(node: cst.Call) -> list[cst.Arg]:
    return [arg for arg in node.args if arg.keyword is None and arg.star != "**"]


def _may_pass_positionally(node: cst.Call, limit: int) -> bool:
    """Whether ``expire_on_commit`` may be among the positional arguments (1.4 signatures)."""
    positional = _positional(node)
    return len(positional) > limit or any(arg.star == "*" for arg in positional)


def _class_argument(node: cst.Call) -> cst.BaseExpression | None:
    """``class_=`` of ``sessionmaker``, keyword or (SQLAlchemy 1.4) second positional."""
    keyword = _keyword(node.args, "class_")
    if keyword is not None:
        return keyword.value
    positional = _positional(node)
    return positional[1].value if len(positional) > 1 else None


# -- the fix ------------------------------------------------------------------------


def with_keyword(call: cst.Call, name: str = KEYWORD, value: str = "False") -> cst.Call:
    """``call`` with ``name=value`` added as its last argument, in the call's own layout."""
    new = cst.Arg(value=cst.Name(value), keyword=cst.Name(name), equal=_equal_style(call.args))
    args = list(call.args)
    if not args:
        return call.with_changes(args=(new,))
    last = args[-1]
    separator = _separator(call)
    if isinstance(last.comma, cst.Comma):
        head, tail = _split_closing(last.comma.whitespace_after, separator)
        args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=head))
        new = new.with_changes(comma=cst.Comma(whitespace_after=tail))
    else:
        head, tail = _split_closing(last.whitespace_after_arg, separator)
        no_space = cst.SimpleWhitespace("")
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=head), whitespace_after_arg=no_space)
        new = new.with_changes(whitespace_after_arg=tail)
    return call.with_changes(args=(*args, new))


def _equal_style(args: Sequence[cst.Arg]) -> cst.AssignEqual:
    for arg in reversed(args):
        if isinstance(arg.equal, cst.AssignEqual):
            return arg.equal
    return cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _separator(call: cst.Call) -> cst.BaseParenthesizableWhitespace:
    """The whitespace between two arguments of this call, without its comments."""
    args = call.args
    if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
        return _without_comments(args[-2].comma.whitespace_after)
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        return _without_comments(call.whitespace_before_args)
    return cst.SimpleWhitespace(" ")


def _without_comments(whitespace: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return cst.ParenthesizedWhitespace(indent=whitespace.indent, last_line=whitespace.last_line)
    return whitespace


def _split_closing(
    closing: cst.BaseParenthesizableWhitespace, separator: cst.BaseParenthesizableWhitespace
) -> tuple[cst.BaseParenthesizableWhitespace, cst.BaseParenthesizableWhitespace]:
    """Split the whitespace before ``)`` into what follows the old last argument
    (its end-of-line comment stays with it) and what follows the new one."""
    if not isinstance(closing, cst.ParenthesizedWhitespace):
        return separator, closing
    tail = cst.ParenthesizedWhitespace(
        empty_lines=closing.empty_lines, indent=closing.indent, last_line=closing.last_line
    )
    if isinstance(separator, cst.ParenthesizedWhitespace):
        return separator.with_changes(first_line=closing.first_line), tail
    if closing.first_line.comment is None:
        return separator, tail
    # One-line arguments, but a comment before ``)``: the new argument goes on the next line.
    return closing.with_changes(empty_lines=()), tail
