"""What the rules know about SQLAlchemy and SQLModel sessions, by qualified name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import libcst as cst

if TYPE_CHECKING:
    from fastapi_lint.linter.ast_summary import CallCensus
    from fastapi_lint.linter.context import FileContext
    from fastapi_lint.linter.index import ProjectIndex

SYNC_SESSION_CLASSES = frozenset(
    {
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlmodel.Session",
        "sqlmodel.orm.session.Session",
    }
)

ASYNC_SESSION_CLASSES = frozenset(
    {
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlmodel.ext.asyncio.session.AsyncSession",
    }
)

SESSION_CLASSES = SYNC_SESSION_CLASSES | ASYNC_SESSION_CLASSES

SYNC_SESSIONMAKERS = frozenset({"sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.session.sessionmaker"})

ASYNC_SESSIONMAKERS = frozenset({"sqlalchemy.ext.asyncio.async_sessionmaker", "sqlalchemy.ext.asyncio.session.async_sessionmaker"})

# Registries that hand out one session per scope: factories, not sessions.
SCOPED_SESSION_MAKERS = frozenset(
    {"sqlalchemy.orm.scoped_session", "sqlalchemy.orm.scoping.scoped_session", "sqlalchemy.ext.asyncio.async_scoped_session"}
)

# Session classes and factories mention "session"/"Session"/"maker"; project helpers
# returning sessions are most often called ``get_db``/``db_session``.
SESSION_TRIGGERS = ("Session", "session", "SESSION", "maker", "db", "DB", "Db")

SESSION_FACTORY_MAKERS = SYNC_SESSIONMAKERS | ASYNC_SESSIONMAKERS | SCOPED_SESSION_MAKERS

# What calling a factory returns is a session; these are the makers whose
# instances are such factories (registries are left out on purpose: calling a
# ``scoped_session`` returns the current scope's shared session, not a new one).
_PLAIN_SESSIONMAKERS = SYNC_SESSIONMAKERS | ASYNC_SESSIONMAKERS

# Decorators that leave "calling this returns a new session" intact.  Anything
# else (``lru_cache``, a retry wrapper...) may change that, so it is not followed.
_TRANSPARENT_DECORATORS = frozenset({"builtins.staticmethod", "builtins.classmethod"})

_MAX_DEPTH = 8


@dataclass(frozen=True)
class SessionOrigin:
    """Why a call is known to create a new session.

    ``kind`` is "class" (a session class is instantiated), "factory" (a
    ``sessionmaker`` / ``async_sessionmaker`` instance is called) or "function"
    (a project helper that returns a new session is called).  ``location`` is
    where the project defines the factory or helper (``app/db/session.py:5``).
    """

    kind: Literal["class", "factory", "function"]
    qualname: str | None
    location: str | None = None

    def note(self) -> str:
        """A short explanation for messages: `` (a sessionmaker, app/db/session.py:5)``."""
        if self.location is None:
            return ""
        what = {"class": "a Session subclass", "factory": "a sessionmaker", "function": "returns a new session"}[self.kind]
        return f" ({what}, {self.location})"


def is_session_class(index: ProjectIndex, qualname: str | None) -> bool:
    """Whether ``qualname`` is SQLAlchemy's / SQLModel's session class or a project subclass of it."""
    canonical = index.canonical(qualname)
    if canonical is None:
        return False
    return canonical in SESSION_CLASSES or index.is_subclass(canonical, SESSION_CLASSES)


def makes_session_factory(index: ProjectIndex, qualname: str | None, _depth: int = 0) -> bool:
    """Whether calling ``qualname`` returns a session factory: ``sessionmaker`` /
    ``async_sessionmaker`` themselves, or a project function returning one."""
    if not _may_define_sessions(index, qualname):
        return False
    canonical = index.canonical(qualname)
    if canonical is None or _depth > _MAX_DEPTH:
        return False
    if canonical in _PLAIN_SESSIONMAKERS:
        return True
    symbol = index.lookup(canonical)
    function = symbol.function if symbol is not None else None
    # A cached ``get_sessionmaker()`` still hands out a factory: decorators do not matter here.
    if function is None or function.is_generator:
        return False
    return any(makes_session_factory(index, returned, _depth + 1) for returned in function.returns)


def is_session_factory(index: ProjectIndex, qualname: str | None, _depth: int = 0) -> bool:
    """Whether ``qualname`` names a session factory anywhere in the project:
    ``SessionLocal = sessionmaker(...)`` (or ``= get_sessionmaker()``), followed
    through imports, relative imports, re-exports and aliases."""
    symbol = index.lookup(index.canonical(qualname))
    if symbol is None or symbol.assign is None or symbol.assign.call is None:
        return False
    return makes_session_factory(index, symbol.assign.call, _depth + 1)


def is_session_helper(index: ProjectIndex, qualname: str | None, _depth: int = 0) -> bool:
    """Whether ``qualname`` is a project function that returns a new session
    (``def get_session(): return SessionLocal()``).  Generators and context
    managers that yield a session manage it: they are not helpers of this kind."""
    if _depth > _MAX_DEPTH:
        return False
    symbol = index.lookup(index.canonical(qualname))
    function = symbol.function if symbol is not None else None
    if function is None or function.is_generator:
        return False
    if any(decorator not in _TRANSPARENT_DECORATORS for decorator in function.decorators):
        return False
    return any(creates_session(index, returned, _depth + 1) is not None for returned in function.returns)


def _may_define_sessions(index: ProjectIndex, qualname: str | None) -> bool:
    """False when ``qualname`` lives in a project module (not a package's re-export hub)
    whose text names no session or factory: it cannot return one, and is not parsed."""
    split = index.split(qualname) if qualname else None
    if split is None or split[0] in index.packages:
        return True
    return index.mentions(split[0], SESSION_TRIGGERS)


def creates_session(index: ProjectIndex, qualname: str | None, _depth: int = 0) -> SessionOrigin | None:
    """Why calling ``qualname`` returns a new SQLAlchemy/SQLModel session, or None."""
    if not _may_define_sessions(index, qualname):
        return None
    canonical = index.canonical(qualname)
    if canonical is None or _depth > _MAX_DEPTH:
        return None
    if canonical in SESSION_CLASSES:
        return SessionOrigin("class", canonical)
    symbol = index.lookup(canonical)
    if symbol is None:
        return None
    if symbol.kind == "class" and index.is_subclass(canonical, SESSION_CLASSES):
        return SessionOrigin("class", canonical, symbol.location)
    if symbol.kind == "assign" and is_session_factory(index, canonical, _depth):
        return SessionOrigin("factory", canonical, symbol.location)
    if symbol.kind == "function" and is_session_helper(index, canonical, _depth):
        return SessionOrigin("function", canonical, symbol.location)
    return None


def session_call_origin(
    context: FileContext, call: cst.Call, cache: dict[str, SessionOrigin | None] | None = None
) -> SessionOrigin | None:
    """Why ``call`` (in the module being linted, at the current point of the
    traversal) creates a new session: ``Session(engine)``, ``SessionLocal()``,
    ``sessionmaker(bind=engine)()``, a local ``maker = sessionmaker(); maker()``,
    or a project helper returning a session.  None when not known for sure.

    ``cache`` (one per linted file) remembers the answer for each callee name."""
    func = call.func
    if isinstance(func, cst.Call):
        inner = context.resolve(func.func)
        return SessionOrigin("factory", None) if makes_session_factory(context.index, inner) else None
    qualname = context.resolve(func)
    if qualname is not None:
        if cache is not None and qualname in cache:
            return cache[qualname]
        if qualname.startswith(context.module_name + "."):
            # The linted module's summary from the tree already parsed, not from the file again.
            context.index.add_tree(context.module_name, context.tree, context.text)
        origin = remembered_origin(context.index, qualname)
        if cache is not None:
            cache[qualname] = origin
        return origin
    if isinstance(func, cst.Name):
        # A function-local ``maker = sessionmaker(...)`` does not resolve to a name.
        found = context.lookup(func.value)
        if found is not None and found[1].kind == "assign":
            value = found[1].value
            if isinstance(value, cst.Await):
                value = value.expression
            if isinstance(value, cst.Call) and not isinstance(value.func, cst.Call):
                if makes_session_factory(context.index, context.resolve(value.func, found[0])):
                    return SessionOrigin("factory", None)
    return None


def may_create_session(census: CallCensus, index: ProjectIndex) -> bool:
    """Whether a call of the module (its ``census``) can be one ``session_call_origin``
    finds a session origin for: the same questions, asked of every callee at once."""
    return any(remembered_origin(index, callee) is not None for callee in census.callees) or any(
        index.remember(("makes_session_factory", maker), lambda: makes_session_factory(index, maker))
        for maker in census.makers
    )


def remembered_origin(index: ProjectIndex, qualname: str) -> SessionOrigin | None:
    """``creates_session(index, qualname)``, answered once per run for the whole project
    (modules calling the same helpers ask the same question)."""
    return index.remember(("creates_session", qualname), lambda: creates_session(index, qualname))


Flavour = Literal["sync", "async"]


def _class_flavour(index: ProjectIndex, qualname: str | None) -> Flavour | None:
    canonical = index.canonical(qualname)
    if canonical is None:
        return None
    if canonical in ASYNC_SESSION_CLASSES or index.is_subclass(canonical, ASYNC_SESSION_CLASSES):
        return "async"
    if canonical in SYNC_SESSION_CLASSES or index.is_subclass(canonical, SYNC_SESSION_CLASSES):
        return "sync"
    return None


def maker_flavour(index: ProjectIndex, maker: str | None, class_keyword: object) -> Flavour | None:
    """Whether ``maker(..., class_=class_keyword)`` builds a factory of sync or async sessions.

    ``class_keyword`` is the summary's value of the ``class_`` keyword (``None`` when absent).
    A factory built by a project function is not followed: None."""
    canonical = index.canonical(maker)
    if canonical in ASYNC_SESSIONMAKERS:
        return "async"
    if canonical not in SYNC_SESSIONMAKERS:
        return None
    if class_keyword is None:
        return "sync"
    qualname = getattr(class_keyword, "qualname", None)
    return _class_flavour(index, qualname) if qualname is not None else None


def factory_flavour(index: ProjectIndex, qualname: str | None) -> Flavour | None:
    """Sync or async sessions from the project factory ``qualname`` (``SessionLocal``)."""
    symbol = index.lookup(index.canonical(qualname))
    if symbol is None or symbol.assign is None or symbol.assign.call is None:
        return None
    keywords = dict(symbol.assign.keywords)
    if symbol.assign.has_double_star:
        return None
    return maker_flavour(index, symbol.assign.call, keywords.get("class_"))


def origin_flavour(index: ProjectIndex, origin: SessionOrigin, _depth: int = 0) -> Flavour | None:
    """Sync or async: what kind of session the call behind ``origin`` creates (None: unknown)."""
    if origin.qualname is None or _depth > _MAX_DEPTH:
        return None
    if origin.kind == "class":
        return _class_flavour(index, origin.qualname)
    if origin.kind == "factory":
        return factory_flavour(index, origin.qualname)
    symbol = index.lookup(index.canonical(origin.qualname))
    function = symbol.function if symbol is not None else None
    if function is None:
        return None
    flavours = set()
    for returned in function.returns:
        inner = creates_session(index, returned)
        flavours.add(origin_flavour(index, inner, _depth + 1) if inner is not None else None)
    return flavours.pop() if len(flavours) == 1 else None
