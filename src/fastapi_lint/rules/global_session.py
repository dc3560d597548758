"""FAPI301 global-session: a session instance held at module level or as a class attribute."""

from __future__ import annotations

from typing import Any, Mapping

import libcst as cst

from fastapi_lint.linter.context import FileContext
from fastapi_lint.linter.names import Scope
from fastapi_lint.linter.rule import Invalid, Rule, Valid
from fastapi_lint.rules._sqlalchemy import SESSION_TRIGGERS, SessionOrigin, session_call_origin
from fastapi_lint.rules.unmanaged_session import analyse_session_name, argument_fate, call_text, is_with_item


class GlobalSession(Rule):
    """## What it does
    Flags a SQLAlchemy/SQLModel session created once and shared: a session
    assigned at module level (`db = SessionLocal()`, `session =
    AsyncSession(engine)`, `session = Session(bind=engine)`), as a class
    attribute, as a parameter default (`def f(db=SessionLocal()):`, evaluated
    once at import time), anywhere else at import time, or to a module global
    from inside a function (`global db; db = SessionLocal()`).

    A session is created by SQLAlchemy's or SQLModel's `Session` /
    `AsyncSession` (or a project subclass), by calling a `sessionmaker(...)` /
    `async_sessionmaker(...)` factory (`SessionLocal` defined in
    `app/db/session.py` and imported anywhere, through relative imports and
    re-exports, is still a factory), by `sessionmaker(...)()` inline, or by a
    project helper whose body returns a new session.

    Not flagged: the factories themselves (`SessionLocal = sessionmaker(...)`,
    `async_sessionmaker(...)`, `create_engine(...)`), `scoped_session(...)` /
    `async_scoped_session(...)` registries and what they return, `requests.Session()`,
    `aiohttp.ClientSession()` and any other class that is not a SQLAlchemy
    session, a module-level `with SessionLocal() as db:` or a session closed in a
    module-level `try/finally` (a script), code under `if __name__ ==
    "__main__":`, and `self.db = SessionLocal()` (one session per instance: see
    FAPI303).

    ## Why is this bad?
    A session is a unit of work for one request: it is not safe to share across
    threads or concurrent tasks, it keeps a connection checked out while a
    transaction is open, and its identity map carries objects (and failed
    transactions) from one request into the next. A session held at module level
    is shared by every request the process serves.

    ## Example
    ```python
    from sqlalchemy.orm import Session

    from app.db.session import SessionLocal, engine

    db = SessionLocal()


    class UserRepository:
        session = Session(engine)


    def get_user(user_id: int, db=SessionLocal()):
        return db.get(User, user_id)
    ```

    ## Use instead
    ```python
    from typing import Annotated, Iterator

    from fastapi import Depends
    from sqlalchemy.orm import Session

    from app.db.session import SessionLocal


    def get_db() -> Iterator[Session]:
        with SessionLocal() as db:
            yield db


    def get_user(user_id: int, db: Annotated[Session, Depends(get_db)]):
        return db.get(User, user_id)
    ```

    ## Fix safety
    There is no fix: moving the session into a dependency changes every
    function that uses it.

    ## Options
    None.
    """

    code = "FAPI301"
    name = "global-session"
    summary = "Session instance held at module level or as a class attribute"
    fix_availability = None
    triggers = SESSION_TRIGGERS
    triggers_in_code = True

    MESSAGE = (
        "{subject} holds a SQLAlchemy session from `{call}`{origin}, created once{when} and shared by every "
        "request: a session is not safe across threads or concurrent tasks, keeps a database connection "
        "checked out and carries objects and failed transactions from one request into the next. Create one "
        "session per request in a dependency (`with {call} as session: yield session`, `async with` for an "
        "async session) and inject it with `Depends`."
    )

    def __init__(self, context: FileContext, settings: Mapping[str, Any]) -> None:
        super().__init__(context, settings)
        self._origins: dict[str, SessionOrigin | None] = {}

    def visit_Call(self, node: cst.Call) -> None:
        scope = self.context.scope
        if scope.kind == "function":
            self._check_global_assignment(node, scope)
        elif not self._under_main_guard():
            self._check_import_time(node, scope)

    def _check_import_time(self, call: cst.Call, scope: Scope) -> None:
        origin = session_call_origin(self.context, call, self._origins)
        if origin is None:
            return
        child, parent, above = self._site(call)
        if is_with_item(call, self.context.ancestors):
            return
        if isinstance(parent, cst.Arg) and above and isinstance(above[-1], cst.Call):
            if argument_fate(self.context, above[-1], above[:-1]) == "managed":
                return
        if isinstance(parent, cst.Parameters):
            subject = self._default_subject(parent, child, above)
        elif (name := _assigned_name(parent, child)) is not None:
            if self._closed_by_module(name, [*above, parent]):
                return
            subject = self._holder(scope, name)
        else:
            holder = self._enclosing_target()
            subject = self._holder(scope, holder) if holder else "Code run at import time"
        self._report(call, subject, " at import time", origin.note())

    def _holder(self, scope: Scope, name: str) -> str:
        if scope.kind == "class" and isinstance(scope.node, cst.ClassDef):
            return f"Class attribute `{scope.node.name.value}.{name}`"
        return f"Module-level `{name}`"

    def _enclosing_target(self) -> str | None:
        """The target of the assignment the call is nested in: ``repo = Repo(SessionLocal())``."""
        for node in reversed(self.context.ancestors):
            if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.BaseCompoundStatement)):
                return None
            target: cst.BaseExpression | None = None
            if isinstance(node, cst.Assign) and len(node.targets) == 1:
                target = node.targets[0].target
            elif isinstance(node, cst.AnnAssign):
                target = node.target
            if target is not None:
                code = self.context.tree.code_for_node(target)
                return code if len(code) <= 40 and "\n" not in code else None
        return None

    def _check_global_assignment(self, call: cst.Call, scope: Scope) -> None:
        child, parent, _ = self._site(call)
        name = _assigned_name(parent, child)
        binding = scope.names.get(name) if name is not None else None
        if binding is None or binding.kind != "global":
            return
        origin = session_call_origin(self.context, call, self._origins)
        if origin is None:
            return
        function = scope.node.name.value if isinstance(scope.node, cst.FunctionDef) else "a lambda"
        self._report(call, f"Global `{name}` (assigned in `{function}()`)", "", origin.note())

    def _report(self, call: cst.Call, subject: str, when: str, origin: str) -> None:
        text = call_text(self.context, call)
        self.report(call, self.MESSAGE.format(subject=subject, call=text, origin=origin, when=when))

    def _site(self, call: cst.Call) -> tuple[cst.CSTNode, cst.CSTNode | None, list[cst.CSTNode]]:
        """The call (or the ``await`` around it), its parent, and the parent's ancestors."""
        ancestors = self.context.ancestors
        child: cst.CSTNode = call
        position = len(ancestors) - 1
        while position > 0 and isinstance(ancestors[position], cst.Await):
            child = ancestors[position]
            position -= 1
        parent = ancestors[position] if position >= 0 else None
        return child, parent, list(ancestors[:position])

    def _default_subject(self, params: cst.Parameters, child: cst.CSTNode, above: list[cst.CSTNode]) -> str:
        owner = above[-1] if above else None
        function = f"`{owner.name.value}()`" if isinstance(owner, cst.FunctionDef) else "a lambda"
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.default is child:
                return f"The default of parameter `{param.name.value}` of {function}"
        return f"A parameter default of {function}"

    def _closed_by_module(self, name: str, creation: list[cst.CSTNode]) -> bool:
        """A script-style ``db = SessionLocal(); try: ... finally: db.close()`` at module level."""
        if self.context.scope.kind != "module":
            return False
        uses = analyse_session_name(self.context, self.context.tree, name)
        return uses.managed or uses.closed_in_finally(creation)

    def _under_main_guard(self) -> bool:
        return any(isinstance(node, cst.If) and _is_main_test(node.test) for node in self.context.ancestors)

    VALID = [
        # Factories and engines are not sessions.
        Valid(
            """
            from sqlalchemy import create_engine
            from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
            from sqlalchemy.orm import sessionmaker

            engine = create_engine("sqlite://")
            async_engine = create_async_engine("sqlite+aiosqlite://")
            SessionLocal = sessionmaker(bind=engine, autoflush=False)
            AsyncSessionLocal = async_sessionmaker(async_engine, class_=AsyncSession, expire_on_commit=False)
            LegacyAsync = sessionmaker(async_engine, class_=AsyncSession)
            """
        ),
        # Registries hand out the current scope's session: not FAPI301's business.
        Valid(
            """
            from sqlalchemy.ext.asyncio import async_scoped_session, async_sessionmaker
            from sqlalchemy.orm import scoped_session, sessionmaker

            ScopedSession = scoped_session(sessionmaker())
            AsyncScoped = async_scoped_session(async_sessionmaker(), scopefunc=id)
            current = ScopedSession()
            """
        ),
        # HTTP sessions and other classes called Session.
        Valid(
            """
            import aiohttp
            import requests
            from requests import Session as HttpSession

            http = requests.Session()
            client = aiohttp.ClientSession()
            other = HttpSession()
            """
        ),
        Valid(
            """
            from app.models import Session

            current = Session(token="abc")
            """,
            files={
                "app/__init__.py": "",
                "app/models.py": """
                    from app.db import Base

                    class Session(Base):
                        __tablename__ = "sessions"
                    """,
                "app/db.py": """
                    from sqlalchemy.orm import DeclarativeBase

                    class Base(DeclarativeBase):
                        pass
                    """,
            },
        ),
        # A module-level name shadowing the imported factory.
        Valid(
            """
            from app.db.session import SessionLocal

            def SessionLocal():
                return {}

            db = SessionLocal()
            """,
            files={
                "app/__init__.py": "",
                "app/db/__init__.py": "",
                "app/db/session.py": "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker()\n",
            },
        ),
        # Sessions created per call, inside functions, are FAPI303's business.
        Valid(
            """
            from fastapi import Depends
            from sqlalchemy.orm import Session, sessionmaker

            SessionLocal = sessionmaker()

            def get_db():
                with SessionLocal() as db:
                    yield db

            def read(db: Session = Depends(get_db)):
                return db

            class Repository:
                def __init__(self):
                    self.db = SessionLocal()
            """
        ),
        # Scripts: managed at module level, or only when run as a program.
        Valid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()

            with SessionLocal() as db:
                db.execute("select 1")

            other = SessionLocal()
            try:
                other.execute("select 1")
            finally:
                other.close()

            if __name__ == "__main__":
                session = SessionLocal()
                session.commit()
            """
        ),
        # A generator dependency is not a session factory; ``next(get_db())`` is out of scope.
        Valid(
            """
            from app.deps import get_db

            db = next(get_db())
            """,
            files={
                "app/__init__.py": "",
                "app/deps.py": """
                    from sqlalchemy.orm import sessionmaker

                    SessionLocal = sessionmaker()

                    def get_db():
                        db = SessionLocal()
                        try:
                            yield db
                        finally:
                            db.close()
                    """,
            },
        ),
    ]
    INVALID = [
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            db = SessionLocal()
            """,
            line=5,
            message_contains="Module-level `db` holds a SQLAlchemy session from `SessionLocal()`",
        ),
        Invalid(
            """
            from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

            engine = create_async_engine("sqlite+aiosqlite://")
            session = AsyncSession(engine)
            """,
            line=5,
        ),
        Invalid(
            """
            from sqlalchemy import create_engine
            from sqlalchemy.orm import Session

            engine = create_engine("sqlite://")
            session = Session(bind=engine)
            """,
            line=6,
        ),
        # Aliases.
        Invalid(
            """
            import sqlalchemy.orm as orm
            from sqlalchemy.orm import Session as S
            from sqlmodel import Session as ModelSession

            a = S(engine)
            b = orm.Session(engine)
            c = ModelSession(engine)
            """,
            line=6,
            count=3,
        ),
        # Class attributes and parameter defaults are evaluated at import time.
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()

            class UserRepository:
                session = SessionLocal()
            """,
            line=7,
            message_contains="Class attribute `UserRepository.session`",
        ),
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()

            def get_user(user_id, db=SessionLocal()):
                return db.get(User, user_id)
            """,
            line=6,
            message_contains="The default of parameter `db` of `get_user()`",
        ),
        # A factory defined in another module, imported directly...
        Invalid(
            """
            from app.db.session import SessionLocal

            db = SessionLocal()
            """,
            line=4,
            message_contains="(a sessionmaker, app/db/session.py:4)",
            files={
                "app/__init__.py": "",
                "app/db/__init__.py": "",
                "app/db/session.py": """
                    from sqlalchemy.orm import sessionmaker

                    SessionLocal = sessionmaker()
                    """,
            },
        ),
        # ...or re-exported by app/db/__init__.py and imported relatively, under an alias.
        Invalid(
            """
            from ..db import SessionLocal as make_session

            db = make_session()
            """,
            path="app/api/deps.py",
            line=4,
            files={
                "app/__init__.py": "",
                "app/api/__init__.py": "",
                "app/db/__init__.py": "from .session import SessionLocal\n",
                "app/db/session.py": """
                    from sqlalchemy.ext.asyncio import async_sessionmaker

                    SessionLocal = async_sessionmaker()
                    """,
            },
        ),
        # The old naming: ``Session`` is the project's sessionmaker, not SQLAlchemy's class.
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            Session = sessionmaker()
            session = Session()
            """,
            line=5,
        ),
        # ``sessionmaker(...)()`` inline, a factory built by a function, a project subclass.
        Invalid(
            """
            from sqlalchemy.orm import Session, sessionmaker

            def make_factory():
                return sessionmaker()

            class TenantSession(Session):
                pass

            SessionLocal = make_factory()
            a = sessionmaker(bind=engine)()
            b = SessionLocal()
            c = TenantSession(engine)
            """,
            line=11,
            count=3,
        ),
        # A project helper that returns a new session, in another module.
        Invalid(
            """
            from app.db import new_session

            db = new_session()
            """,
            line=4,
            message_contains="returns a new session, app/db.py:6",
            files={
                "app/__init__.py": "",
                "app/db.py": """
                    from sqlalchemy.orm import sessionmaker

                    SessionLocal = sessionmaker()

                    def new_session():
                        session = SessionLocal()
                        return session
                    """,
            },
        ),
        # Held inside another object, or assigned to a global from a function.
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            repository = UserRepository(SessionLocal())
            db = None

            def init_db():
                global db
                db = SessionLocal()
            """,
            line=5,
            count=2,
            message_contains="Module-level `repository` holds",
        ),
        # Closed without ``finally`` at module level: still held by a module for a while.
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            db = SessionLocal()
            db.execute("select 1")
            db.close()
            """,
            line=5,
        ),
    ]


def _assigned_name(parent: cst.CSTNode | None, child: cst.CSTNode) -> str | None:
    """``name`` for ``name = <child>`` / ``name: T = <child>``, else None."""
    if isinstance(parent, cst.Assign) and parent.value is child and len(parent.targets) == 1:
        target = parent.targets[0].target
        return target.value if isinstance(target, cst.Name) else None
    if isinstance(parent, cst.AnnAssign) and parent.value is child and isinstance(parent.target, cst.Name):
        return parent.target.value
    return None


def _is_main_test(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    if not isinstance(test.comparisons[0].operator, cst.Equal):
        return False
    sides = (test.left, test.comparisons[0].comparator)
    names = [side for side in sides if isinstance(side, cst.Name) and side.value == "__name__"]
    strings = [side for side in sides if isinstance(side, cst.SimpleString) and side.evaluated_value == "__main__"]
    return len(names) == 1 and len(strings) == 1
