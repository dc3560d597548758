"""FAPI301 global-session: a session instance held at module level or as a class attribute."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import libcst as cst

from fastapi_lint.linter.context import FileContext
from fastapi_lint.linter.names import Scope
from fastapi_lint.linter.rule import FixSpec, Invalid, Rule, Valid
from fastapi_lint.rules._sqlalchemy import SESSION_TRIGGERS, SessionOrigin, may_create_session, session_call_origin
from fastapi_lint.rules.unmanaged_session import analyse_session_name, argument_fate, call_text, is_with_item

if TYPE_CHECKING:
    from fastapi_lint.linter.ast_summary import CallCensus
    from fastapi_lint.linter.index import ProjectIndex


# The linted module of the cases where another module's way of reading the global
# decides whether the fix is offered.
_ROUTE_READING_GLOBAL = """
from fastapi import APIRouter
from sqlalchemy.orm import sessionmaker

SessionLocal = sessionmaker()
router = APIRouter()
db = SessionLocal()


@router.get("/users")
def users():
    return db.query(User).all()
"""


def _read_by_reports(reports: str, message: str, others: dict[str, str] | None = None) -> Invalid:
    """A case where ``app/reports.py`` (``reports``) decides that the global gets no fix."""
    files = {"app/__init__.py": "", "app/reports.py": reports, **(others or {})}
    return Invalid(_ROUTE_READING_GLOBAL, line=7, unsafe_fixes=True, files=files, message_contains=f"No automatic fix: {message}")


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
    For a module-level `name = factory()` (`factory` a project
    `sessionmaker(...)` / `async_sessionmaker(...)`, called without
    arguments), an unsafe fix (applied with `--unsafe-fixes`) replaces the
    global by a per-request dependency, across the project:

    - the dependency is the project's own when it has one: a parameterless,
      undecorated generator (any module, any name) yielding a session from the
      same factory. Otherwise `get_db` (or `get_session` when the name is
      taken) is created right after the factory, in its module:
      `def get_db(): with SessionLocal() as db: yield db` (`async def` and
      `async with ... as session` for an async factory);
    - every route (`@router.get(...)`, `@app.post(...)`... on a
      `fastapi.APIRouter()` / `fastapi.FastAPI()`) reading the global gets a
      parameter named like the global, so that its body is unchanged:
      `db: Session = Depends(get_db)`, or `db: Annotated[Session,
      Depends(get_db)]` when the project writes `Annotated` dependencies;
    - every other function reading it (a service) gets a first parameter
      `db: Session`, and each of its calls passes the caller's session as first
      argument; a caller that is not a route is threaded the same way, up to
      the routes;
    - the global is removed, with the imports only it used; `Depends`, the
      session class, `Annotated` and the dependency are imported where needed.

    No fix is offered, and the message says why, when a function needing the
    session is called from nowhere in the project (a script, a scheduler, a
    test), is used as a value (a callback, a background task), is decorated,
    is a method or a nested function, when a route is also called directly,
    when the global is read outside a function or assigned (`global db`),
    when a module imports `*` from its module, when a name the fix needs is
    taken, or when importing the dependency would create an import cycle.

    It is unsafe because each request now gets its own session, closed when
    the request ends: objects loaded through it are detached afterwards,
    state kept in the shared session between requests (pending objects, an
    open transaction) is gone, and code outside the routes that relied on the
    global (`from app.db import db` in a shell script) has to open its own.

    ## Options
    None.
    """

    code = "FAPI301"
    name = "global-session"
    summary = "Session instance held at module level or as a class attribute"
    fix_availability = "unsafe"
    triggers = SESSION_TRIGGERS
    triggers_in_code = True
    surveys_calls = True

    @classmethod
    def may_fire(cls, census: CallCensus, index: ProjectIndex) -> bool:
        return may_create_session(census, index)

    MESSAGE = (
        "{subject} holds a SQLAlchemy session from `{call}`{origin}, created once{when} and shared by every "
        "request: a session is not safe across threads or concurrent tasks, keeps a database connection "
        "checked out and carries objects and failed transactions from one request into the next. Create one "
        "session per request in a dependency (`with {call} as session: yield session`, `async with` for an "
        "async session) and inject it with `Depends`."
    )

    NO_FIX = "No automatic fix: {reason}."

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
            if scope.kind == "module":
                self._report(call, subject, " at import time", origin.note(), self._module_fix(call, child, name, origin, above))
                return
        else:
            holder = self._enclosing_target()
            subject = self._holder(scope, holder) if holder else "Code run at import time"
        self._report(call, subject, " at import time", origin.note())

    def _module_fix(
        self, call: cst.Call, child: cst.CSTNode, name: str, origin: SessionOrigin, above: list[cst.CSTNode]
    ) -> FixSpec | str | None:
        """The dependency fix for ``name = SessionLocal()`` at module level, or why there is none
        (None: not planned in this run)."""
        statement = above[-1] if above else None
        top_level = isinstance(statement, cst.SimpleStatementLine) and any(s is statement for s in self.context.tree.body)
        if child is not call or not top_level or len(statement.body) != 1:  # type: ignore[union-attr]
            return "the session is not created by a plain statement `name = factory()` at the top of the module"
        if origin.kind != "factory" or origin.qualname is None:
            return "only sessions from a project `sessionmaker(...)`/`async_sessionmaker(...)` are replaced by a dependency"
        if not self.context.index.plan_project_fixes:
            # Planning reads every module that may use the global: left to runs that fix.
            return None
        from fastapi_lint.rules._global_session_fix import plan_global_fix  # only once a global is flagged

        return plan_global_fix(self.context, statement, name, call, origin.qualname)  # type: ignore[arg-type]

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

    def _report(self, call: cst.Call, subject: str, when: str, origin: str, fix: FixSpec | str | None = None) -> None:
        text = call_text(self.context, call)
        message = self.MESSAGE.format(subject=subject, call=text, origin=origin, when=when)
        if isinstance(fix, str):
            message = f"{message} {self.NO_FIX.format(reason=fix)}"
        self.report(call, message, fix if isinstance(fix, FixSpec) else None)

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
        # Fixes. Routes of the module get a new dependency, defined after the factory.
        Invalid(
            """
            from fastapi import FastAPI
            from sqlalchemy import create_engine
            from sqlalchemy.orm import sessionmaker

            engine = create_engine("sqlite://")
            SessionLocal = sessionmaker(bind=engine)
            db = SessionLocal()
            app = FastAPI()


            @app.get("/users/{user_id}")
            def read_user(user_id: int):
                return db.get(User, user_id)


            @app.post("/users")
            async def create_user(name: str):
                db.add(User(name=name))
                db.commit()
            """,
            line=8,
            unsafe_fixes=True,
            expected_fix="""
            from fastapi import Depends, FastAPI
            from sqlalchemy import create_engine
            from sqlalchemy.orm import Session, sessionmaker

            engine = create_engine("sqlite://")
            SessionLocal = sessionmaker(bind=engine)


            def get_db():
                with SessionLocal() as db:
                    yield db


            app = FastAPI()


            @app.get("/users/{user_id}")
            def read_user(user_id: int, db: Session = Depends(get_db)):
                return db.get(User, user_id)


            @app.post("/users")
            async def create_user(name: str, db: Session = Depends(get_db)):
                db.add(User(name=name))
                db.commit()
            """,
        ),
        # The project's own dependency (found by what it yields, in another module) is
        # reused, in the project's ``Annotated`` style.
        Invalid(
            """
            from fastapi import APIRouter

            from app.db import SessionLocal
            from app.deps import CurrentUser

            router = APIRouter()
            db = SessionLocal()


            @router.get("/items")
            def list_items(user: CurrentUser, limit: int = 10):
                return db.query(Item).limit(limit).all()
            """,
            path="app/api/items.py",
            line=8,
            unsafe_fixes=True,
            files={
                "app/__init__.py": "",
                "app/api/__init__.py": "",
                "app/db.py": "from sqlalchemy.orm import sessionmaker\n\nSessionLocal = sessionmaker()\n",
                "app/deps.py": """
                    from typing import Annotated

                    from fastapi import Depends

                    from app.db import SessionLocal as make_session


                    def open_session():
                        session = make_session()
                        try:
                            yield session
                        finally:
                            session.close()


                    def current_user():
                        return {"name": "ada"}


                    CurrentUser = Annotated[dict, Depends(current_user)]
                    """,
            },
            expected_fix="""
            from typing import Annotated

            from fastapi import APIRouter, Depends
            from sqlalchemy.orm import Session

            from app.deps import CurrentUser, open_session

            router = APIRouter()


            @router.get("/items")
            def list_items(user: CurrentUser, db: Annotated[Session, Depends(open_session)], limit: int = 10):
                return db.query(Item).limit(limit).all()
            """,
        ),
        # A service holding the global, called by two routes of another module: the session
        # is threaded from the routes; the factory, re-exported by its package and imported
        # relatively, gets the new dependency in its own module.
        Invalid(
            """
            from ..db import SessionLocal

            db = SessionLocal()


            def create_user(name: str):
                user = User(name=name)
                db.add(user)
                db.commit()
                return user
            """,
            path="app/services/users.py",
            line=4,
            unsafe_fixes=True,
            files={
                "app/__init__.py": "",
                "app/services/__init__.py": "",
                "app/db/__init__.py": "from .session import SessionLocal\n",
                "app/db/session.py": """
                    from sqlalchemy import create_engine
                    from sqlalchemy.orm import sessionmaker

                    engine = create_engine("sqlite://")
                    SessionLocal = sessionmaker(bind=engine)
                    """,
                "app/api.py": """
                    from fastapi import APIRouter

                    from app.services import users

                    router = APIRouter()


                    @router.post("/users")
                    def signup(name: str):
                        return users.create_user(name)


                    @router.post("/admin/users")
                    def admin_create(name: str, active: bool = True):
                        user = users.create_user(name)
                        return {"id": user.id, "active": active}
                    """,
            },
            expected_fix="""
            from sqlalchemy.orm import Session


            def create_user(db: Session, name: str):
                user = User(name=name)
                db.add(user)
                db.commit()
                return user
            """,
            expected_files={
                "app/db/session.py": """
                    from sqlalchemy import create_engine
                    from sqlalchemy.orm import sessionmaker

                    engine = create_engine("sqlite://")
                    SessionLocal = sessionmaker(bind=engine)


                    def get_db():
                        with SessionLocal() as db:
                            yield db
                    """,
                "app/api.py": """
                    from fastapi import APIRouter, Depends
                    from sqlalchemy.orm import Session

                    from app.db.session import get_db
                    from app.services import users

                    router = APIRouter()


                    @router.post("/users")
                    def signup(name: str, db: Session = Depends(get_db)):
                        return users.create_user(db, name)


                    @router.post("/admin/users")
                    def admin_create(name: str, active: bool = True, db: Session = Depends(get_db)):
                        user = users.create_user(db, name)
                        return {"id": user.id, "active": active}
                    """,
            },
        ),
        # An async factory: an ``async def`` dependency with ``async with``; the global's name is kept.
        Invalid(
            """
            from fastapi import APIRouter
            from sqlalchemy import select

            from app.db import AsyncSessionLocal as Maker

            router = APIRouter()
            session = Maker()


            @router.get("/users")
            async def list_users():
                result = await session.execute(select(User))
                return result.scalars().all()
            """,
            line=8,
            unsafe_fixes=True,
            files={
                "app/__init__.py": "",
                "app/db.py": """
                    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

                    engine = create_async_engine("sqlite+aiosqlite://")
                    AsyncSessionLocal = async_sessionmaker(engine, expire_on_commit=False)
                    """,
            },
            expected_fix="""
            from fastapi import APIRouter, Depends
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession

            from app.db import get_db

            router = APIRouter()


            @router.get("/users")
            async def list_users(session: AsyncSession = Depends(get_db)):
                result = await session.execute(select(User))
                return result.scalars().all()
            """,
            expected_files={
                "app/db.py": """
                    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

                    engine = create_async_engine("sqlite+aiosqlite://")
                    AsyncSessionLocal = async_sessionmaker(engine, expire_on_commit=False)


                    async def get_db():
                        async with AsyncSessionLocal() as session:
                            yield session
                    """,
            },
        ),
        # A dependency reading the global (used only as ``Depends(...)``) gets the session
        # like a route: FastAPI solves ``get_db`` once per request for both.
        Invalid(
            """
            from typing import Annotated

            from fastapi import APIRouter, Depends, Header
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            db = SessionLocal()
            router = APIRouter()


            def current_user(token: str = Header()):
                return db.query(User).filter_by(token=token).one()


            CurrentUser = Annotated[User, Depends(current_user)]


            @router.get("/me")
            def me(user: CurrentUser):
                return user


            @router.delete("/me")
            def leave(user: User = Depends(dependency=current_user)):
                db.delete(user)
                db.commit()
            """,
            line=8,
            unsafe_fixes=True,
            expected_fix="""
            from typing import Annotated

            from fastapi import APIRouter, Depends, Header
            from sqlalchemy.orm import Session, sessionmaker

            SessionLocal = sessionmaker()


            def get_db():
                with SessionLocal() as db:
                    yield db


            router = APIRouter()


            def current_user(db: Annotated[Session, Depends(get_db)], token: str = Header()):
                return db.query(User).filter_by(token=token).one()


            CurrentUser = Annotated[User, Depends(current_user)]


            @router.get("/me")
            def me(user: CurrentUser):
                return user


            @router.delete("/me")
            def leave(db: Annotated[Session, Depends(get_db)], user: User = Depends(dependency=current_user)):
                db.delete(user)
                db.commit()
            """,
        ),
        # No fix when a function needing the session has callers the tool cannot see...
        Invalid(
            """
            from fastapi import APIRouter
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            router = APIRouter()
            db = SessionLocal()


            def count_users():
                return db.query(User).count()


            @router.get("/stats")
            def stats():
                return {"users": count_users()}


            def nightly_report():
                print(count_users())
            """,
            line=7,
            unsafe_fixes=True,
            message_contains=(
                "No automatic fix: `nightly_report()` (app/module.py) needs the session and no function of the "
                "project calls it: its callers cannot pass it one."
            ),
        ),
        # ...or is used as a value (a callback)...
        Invalid(
            """
            from fastapi import APIRouter
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            router = APIRouter()
            db = SessionLocal()


            def cleanup():
                db.query(Token).delete()


            @router.post("/logout")
            def logout(tasks: BackgroundTasks):
                tasks.add_task(cleanup)
            """,
            line=7,
            unsafe_fixes=True,
            message_contains="No automatic fix: `cleanup()` (app/module.py) is used as a value, not called, in app/module.py",
        ),
        # ...or is a method, or a route also called directly.
        Invalid(
            """
            from fastapi import APIRouter
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            router = APIRouter()
            db = SessionLocal()


            class Repository:
                def all(self):
                    return db.query(User).all()
            """,
            line=7,
            unsafe_fixes=True,
            message_contains="No automatic fix: `db` is used in the class `Repository` (app/module.py)",
        ),
        Invalid(
            """
            from fastapi import APIRouter
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            router = APIRouter()
            db = SessionLocal()


            @router.get("/users")
            def users():
                return db.query(User).all()


            @router.get("/people")
            def people():
                return users()
            """,
            line=7,
            unsafe_fixes=True,
            message_contains="No automatic fix: the route `users()` (app/module.py) is also used directly in app/module.py.",
        ),
        # ...or is evaluated when a function is defined (a default value, a decorator).
        Invalid(
            """
            from fastapi import APIRouter
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            router = APIRouter()
            db = SessionLocal()


            def default_limit():
                return db.query(Setting).count()


            @router.get("/users")
            def users(limit: int = default_limit()):
                return limit
            """,
            line=7,
            unsafe_fixes=True,
            message_contains="No automatic fix: `default_limit()` (app/module.py) is used in the signature or a decorator of `users()`",
        ),
        # ...or when a module imports the global (or its module) inside a function.
        _read_by_reports(
            """
                def count():
                    from app import module

                    return module.db.query(User).count()
            """,
            "app/reports.py imports `app.module` inside a function or a class.",
        ),
        # ...an import in a one-line suite is inside a function too...
        _read_by_reports(
            """
                def count(): from app.module import db; return db.query(User).count()
            """,
            "app/reports.py imports `app.module.db` inside a function or a class.",
        ),
        # ...and one that a backslash continues onto the next line, at its start...
        _read_by_reports(
            """
                def count(): \\
                from app.module import db; return db.query(User).count()
            """,
            "app/reports.py imports `app.module.db` inside a function or a class.",
        ),
        # ...or when a module reads the global as an attribute of the module it imports...
        _read_by_reports(
            """
                from app import module


                def count():
                    return (module .  # the session
                        db).query(User).count()
            """,
            "app/reports.py reads `db` as an attribute of its module.",
        ),
        # ...or of a package of the project that re-exports that module.
        _read_by_reports(
            """
                import tools


                def count():
                    return tools.sessions.db.query(User).count()
            """,
            "app/reports.py reads `db` as an attribute of its module.",
            {"tools/__init__.py": "from app import module as sessions\n"},
        ),
        # ...or when the global is read outside a function.
        Invalid(
            """
            from fastapi import APIRouter
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            router = APIRouter()
            db = SessionLocal()
            repository = Repository(db)


            @router.get("/users")
            def users():
                return db.query(User).all()
            """,
            line=7,
            unsafe_fixes=True,
            message_contains="No automatic fix: `db` is used outside a module-level function in app/module.py.",
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
