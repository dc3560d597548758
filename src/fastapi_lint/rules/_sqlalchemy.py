"""What the rules know about SQLAlchemy and SQLModel sessions, by qualified name."""

from __future__ import annotations

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

SESSION_FACTORY_MAKERS = SYNC_SESSIONMAKERS | ASYNC_SESSIONMAKERS | SCOPED_SESSION_MAKERS
