"""Generate a deterministic, realistic FastAPI project to benchmark linters on.

The project is a package ``app`` with typed settings (``core/config.py``), a
database module (``db/session.py``) and *features* grouped in *domains*. A domain
is laid out either by layer (``app/billing/routers/invoice.py``,
``app/billing/services/invoice.py``, ...) or by feature
(``app/billing/invoice/router.py``, ...), as real code bases mix both. Each
feature has a router (some endpoints hand e-mail or report helpers to
``BackgroundTasks.add_task``), a service (some call httpx), CRUD functions
(mostly on an injected session, a few on one they open and never close),
schemas, models, background-task helpers, exceptions and a test module, 20 to
300 lines each. Schemas and exceptions carry none of the rules' trigger words, so
the mix of files a linter can skip and files it must analyse is realistic.

Feature ``k`` depends only on the seed and ``k``: a project of 4N features holds
the N-feature project's features unchanged, which is what makes 1x / 4x / 16x
sizes comparable.

    python bench/generate.py OUT --files 3000
    python bench/generate.py OUT --features 40 --seed 7
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable, Iterator

FEATURES_PER_DOMAIN = 10
# Two domains in five are laid out by layer (the rest by feature), the first among
# them: even the smallest project has both layouts.
LAYERED_DOMAINS = (0, 2)

DOMAIN_WORDS = (
    "billing", "catalog", "accounts", "shipping", "inventory", "support", "marketing", "analytics",
    "payments", "identity", "content", "scheduling", "messaging", "compliance", "partners", "logistics",
    "pricing", "reviews", "loyalty", "procurement", "hr", "finance", "search", "media",
)
FEATURE_WORDS = (
    "invoice", "customer", "order", "product", "coupon", "refund", "shipment", "warehouse", "ticket",
    "campaign", "subscriber", "report", "payment", "wallet", "profile", "team", "role", "document",
    "article", "appointment", "booking", "message", "thread", "audit", "contract", "vendor", "quote",
    "carrier", "parcel", "review", "reward", "tier", "supplier", "purchase", "employee", "payroll",
    "budget", "ledger", "query", "asset", "playlist", "upload", "webhook", "device", "region", "tax",
    "discount", "voucher", "survey", "feedback",
)
OPERATIONS = (
    "archive", "approve", "assign", "cancel", "close", "duplicate", "export", "import", "lock",
    "merge", "publish", "reopen", "restore", "review", "schedule", "submit", "sync", "tag",
    "transfer", "unlock", "validate", "verify",
)
FIELD_TYPES = (
    ("str", "String(255)", '"sample"'),
    ("int", "Integer", "0"),
    ("float", "Float", "0.0"),
    ("bool", "Boolean", "False"),
    ("datetime", "DateTime(timezone=True)", "None"),
)
FIELD_WORDS = (
    "title", "code", "amount", "quantity", "status", "note", "reference", "priority", "currency",
    "label", "owner_email", "region_code", "weight", "score", "is_active", "created_at", "updated_at",
    "due_at", "external_id", "description", "category", "source", "channel", "rating",
)


@dataclass(frozen=True)
class Feature:
    index: int
    domain: str
    name: str
    layered: bool
    # Everything else about the feature is drawn from this seed.
    seed: str

    @property
    def cls(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_"))

    def module(self, kind: str) -> str:
        """Dotted module name of one of this feature's files (``kind`` as in ``KINDS``)."""
        if kind == "test":
            return f"tests.{self.domain}.test_{self.name}"
        if self.layered:
            return f"app.{self.domain}.{LAYER_FOLDERS[kind]}.{self.name}"
        return f"app.{self.domain}.{self.name}.{kind}"

    def path(self, kind: str) -> str:
        return self.module(kind).replace(".", "/") + ".py"

    def rng(self, kind: str) -> random.Random:
        return random.Random(f"{self.seed}:{kind}")


LAYER_FOLDERS = {
    "router": "routers",
    "service": "services",
    "crud": "crud",
    "schemas": "schemas",
    "models": "models",
    "tasks": "tasks",
    "exceptions": "exceptions",
}
KINDS = (*LAYER_FOLDERS, "test")


@dataclass(frozen=True)
class Project:
    root: Path
    features: tuple[Feature, ...]
    files: int


def features_for_files(files: int) -> int:
    """The smallest number of features whose project has at least ``files`` Python files."""
    low, high = 1, max(1, files)
    while low < high:
        middle = (low + high) // 2
        if count_python_files(plan(middle, 0)) >= files:
            high = middle
        else:
            low = middle + 1
    return low


def count_python_files(features: tuple[Feature, ...]) -> int:
    return sum(relative.endswith(".py") for relative, _ in project_files(features, 0))


def plan(features: int, seed: int) -> tuple[Feature, ...]:
    planned = []
    for index in range(features):
        domain_index = index // FEATURES_PER_DOMAIN
        domain = _numbered(DOMAIN_WORDS, domain_index)
        layered = domain_index % 5 in LAYERED_DOMAINS
        name = _numbered(FEATURE_WORDS, index)
        planned.append(Feature(index, domain, name, layered, f"{seed}:feature:{index}"))
    return tuple(planned)


def _numbered(words: tuple[str, ...], index: int) -> str:
    word = words[index % len(words)]
    return word if index < len(words) else f"{word}_{index // len(words) + 1}"


def generate(root: Path, features: int, seed: int = 0) -> Project:
    """Write the project under ``root`` (which must be empty or absent)."""
    planned = plan(features, seed)
    count = 0
    for relative, render in project_files(planned, seed):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(), encoding="utf-8")
        count += relative.endswith(".py")
    return Project(root, planned, count)


def project_files(features: tuple[Feature, ...], seed: int) -> Iterator[tuple[str, Callable[[], str]]]:
    """Each file's path and a function that renders it (so files can be counted for free)."""
    yield "pyproject.toml", lambda: PYPROJECT
    yield "app/__init__.py", str
    yield "app/main.py", lambda: main_module(features)
    yield "app/core/__init__.py", str
    yield "app/core/config.py", lambda: config_module(random.Random(f"{seed}:config"))
    yield "app/core/logging.py", lambda: LOGGING_MODULE
    yield "app/db/__init__.py", lambda: "from app.db.session import SessionLocal, async_session_factory\n"
    yield "app/db/base.py", lambda: DB_BASE_MODULE
    yield "app/db/session.py", lambda: SESSION_MODULE
    yield "app/api/__init__.py", str
    yield "app/api/deps.py", lambda: DEPS_MODULE
    yield "tests/__init__.py", str
    packages: set[str] = set()
    for feature in features:
        for kind in KINDS:
            path = feature.path(kind)
            parent = path.rsplit("/", 1)[0]
            while parent not in ("app", "tests") and parent not in packages:
                packages.add(parent)
                yield f"{parent}/__init__.py", str
                parent = parent.rsplit("/", 1)[0]
            yield path, partial(RENDERERS[kind], feature)
    for domain in sorted({feature.domain for feature in features}):
        members = [feature for feature in features if feature.domain == domain]
        yield f"app/{domain}/api.py", partial(domain_api, domain, members)


# -- project-level modules -------------------------------------------------------

PYPROJECT = """\
[project]
name = "generated-app"
version = "0.1.0"
description = "A generated FastAPI service: the benchmark corpus of fastapi-lint."
requires-python = ">=3.10"
dependencies = ["fastapi", "sqlalchemy[asyncio]", "pydantic-settings", "httpx"]
"""

LOGGING_MODULE = '''\
import logging
import logging.config

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(level: str = "INFO") -> None:
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"plain": {"format": LOG_FORMAT}},
            "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
            "root": {"handlers": ["console"], "level": level},
        }
    )
'''

DB_BASE_MODULE = '''\
from datetime import datetime

from sqlalchemy import DateTime, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())
'''

DEPS_MODULE = '''\
from collections.abc import AsyncIterator, Iterator

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.db.session import SessionLocal, async_session_factory


def get_db() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


async def get_async_db() -> AsyncIterator[AsyncSession]:
    async with async_session_factory() as session:
        yield session
'''


def config_module(rng: random.Random) -> str:
    env_defaults = rng.sample(["APP_NAME", "SMTP_HOST", "REDIS_URL", "SENTRY_DSN"], 2)
    lines = [
        "import os",
        "",
        "from pydantic_settings import BaseSettings, SettingsConfigDict",
        "",
        "",
        "class Settings(BaseSettings):",
        '    model_config = SettingsConfigDict(env_file=".env", extra="ignore")',
        "",
    ]
    fields = {
        "APP_NAME": '"generated-app"',
        "DATABASE_URL": '"postgresql+asyncpg://app:app@localhost/app"',
        "SMTP_HOST": '"localhost"',
        "SMTP_PORT": "25",
        "REDIS_URL": '"redis://localhost:6379/0"',
        "SENTRY_DSN": '""',
        "REPORTS_BUCKET": '"reports"',
        "PARTNER_API_URL": '"https://partners.example.com"',
    }
    for name, default in fields.items():
        kind = "int" if default.isdigit() else "str"
        if name in env_defaults:
            default = f'os.getenv("{name}", {default})'
        lines.append(f"    {name}: {kind} = {default}")
    lines += [
        "",
        "    @property",
        "    def sync_database_url(self) -> str:",
        '        return self.DATABASE_URL.replace("+asyncpg", "")',
        "",
        "",
        "settings = Settings()",
        "",
        "# Read once at import: the deployment sets it, tests do not.",
        'DEBUG = os.environ.get("DEBUG", "0") == "1"',
        "",
    ]
    return "\n".join(lines)


SESSION_MODULE = """\
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import sessionmaker

from app.core.config import settings

engine = create_engine(settings.sync_database_url, pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine, autoflush=False)

async_engine = create_async_engine(settings.DATABASE_URL, pool_size=10)
async_session_factory = async_sessionmaker(async_engine)

# Used by the scripts in tools/ that run outside a request.
db = SessionLocal()
"""


def main_module(features: tuple[Feature, ...]) -> str:
    domains = sorted({feature.domain for feature in features})
    lines = [
        "from fastapi import FastAPI",
        "",
        "from app.core.config import settings",
        "from app.core.logging import configure_logging",
    ]
    lines += [f"from app.{domain}.api import router as {domain}_router" for domain in domains]
    lines += ["", "configure_logging()", "app = FastAPI(title=settings.APP_NAME)", ""]
    lines += [f'app.include_router({domain}_router, prefix="/{domain}")' for domain in domains]
    lines += [
        "",
        "",
        '@app.get("/health")',
        "def health() -> dict[str, str]:",
        '    return {"status": "ok"}',
        "",
    ]
    return "\n".join(lines)


def domain_api(domain: str, features: list[Feature]) -> str:
    lines = ["from fastapi import APIRouter", ""]
    lines += [f"from {feature.module('router')} import router as {feature.name}_router" for feature in features]
    lines += ["", f'router = APIRouter(tags=["{domain}"])', ""]
    lines += [f'router.include_router({feature.name}_router, prefix="/{feature.name}s")' for feature in features]
    return "\n".join(lines) + "\n"


# -- per-feature modules -----------------------------------------------------------


def _fields(feature: Feature) -> list[tuple[str, tuple[str, str, str]]]:
    rng = feature.rng("fields")
    names = rng.sample(FIELD_WORDS, rng.randint(4, 12))
    return [(name, rng.choice(FIELD_TYPES)) for name in names]


def _operations(feature: Feature) -> list[str]:
    rng = feature.rng("operations")
    return sorted(rng.sample(OPERATIONS, rng.randint(3, 14)))


def _is_async(feature: Feature) -> bool:
    return feature.rng("async").random() < 0.4


def render_schemas(feature: Feature) -> str:
    cls, fields = feature.cls, _fields(feature)
    lines = [
        "from datetime import datetime",
        "",
        "from pydantic import BaseModel, ConfigDict, Field, field_validator",
        "",
        "",
        f"class {cls}Base(BaseModel):",
    ]
    for name, (annotation, _, default) in fields:
        if annotation == "datetime":
            lines.append(f"    {name}: datetime | None = None")
        elif annotation == "str":
            lines.append(f"    {name}: str = Field(default={default}, max_length=255)")
        else:
            lines.append(f"    {name}: {annotation} = {default}")
    string_fields = [name for name, (annotation, _, _) in fields if annotation == "str"]
    if string_fields:
        lines += [
            "",
            f"    @field_validator({', '.join(repr(name) for name in string_fields)})",
            "    @classmethod",
            "    def strip_text(cls, value: str) -> str:",
            "        return value.strip()",
        ]
    lines += [
        "",
        "",
        f"class {cls}Create({cls}Base):",
        "    pass",
        "",
        "",
        f"class {cls}Update(BaseModel):",
    ]
    for name, (annotation, _, _) in fields:
        lines.append(f"    {name}: {annotation} | None = None")
    lines += [
        "",
        "",
        f"class {cls}Read({cls}Base):",
        "    model_config = ConfigDict(from_attributes=True)",
        "",
        "    id: int",
        "",
        "",
        f"class {cls}Page(BaseModel):",
        f"    items: list[{cls}Read]",
        "    total: int",
        "    offset: int = 0",
        "    limit: int = 50",
    ]
    for operation in _operations(feature):
        lines += [
            "",
            "",
            f"class {cls}{operation.capitalize()}Request(BaseModel):",
            "    reason: str | None = None",
            "    notify: bool = True",
            "",
            "",
            f"class {cls}{operation.capitalize()}Result(BaseModel):",
            "    id: int",
            "    status: str",
            "    changed_at: datetime | None = None",
        ]
    return "\n".join(lines) + "\n"


def render_models(feature: Feature) -> str:
    cls, fields = feature.cls, _fields(feature)
    lines = [
        "import enum",
        "from datetime import datetime",
        "",
        "from sqlalchemy import Boolean, DateTime, Enum, Float, ForeignKey, Index, Integer, String",
        "from sqlalchemy.orm import Mapped, mapped_column, relationship",
        "",
        "from app.db.base import Base, TimestampMixin",
        "",
        "",
        f"class {cls}Status(str, enum.Enum):",
        '    OPEN = "open"',
    ]
    lines += [f'    {operation.upper()}D = "{operation}d"' for operation in _operations(feature)]
    lines += [
        "",
        "",
        f"class {cls}(TimestampMixin, Base):",
        f'    __tablename__ = "{feature.name}s"',
        "    __table_args__ = (",
    ]
    lines += [f'        Index("ix_{feature.name}s_{name}", "{name}"),' for name, _ in fields[:4]]
    lines += [
        "    )",
        "",
        "    id: Mapped[int] = mapped_column(primary_key=True)",
        f"    status: Mapped[{cls}Status] = mapped_column(Enum({cls}Status), default={cls}Status.OPEN)",
    ]
    for name, (annotation, column, _) in fields:
        if name in ("created_at", "updated_at"):
            continue
        optional = " | None" if annotation == "datetime" else ""
        lines.append(f"    {name}: Mapped[{annotation}{optional}] = mapped_column({column}, nullable={bool(optional)})")
    lines += [
        f'    events: Mapped[list["{cls}Event"]] = relationship(back_populates="{feature.name}", cascade="all, delete-orphan")',
        "",
        "    def __repr__(self) -> str:",
        f'        return f"<{cls} id={{self.id}}>"',
        "",
        "    @property",
        "    def is_open(self) -> bool:",
        f"        return self.status == {cls}Status.OPEN",
        "",
        f'    def last_event(self) -> "{cls}Event | None":',
        "        return max(self.events, key=lambda event: event.happened_at, default=None)",
        "",
        "",
        f"class {cls}Event(Base):",
        f'    __tablename__ = "{feature.name}_events"',
        "",
        "    id: Mapped[int] = mapped_column(primary_key=True)",
        f'    {feature.name}_id: Mapped[int] = mapped_column(ForeignKey("{feature.name}s.id"))',
        "    kind: Mapped[str] = mapped_column(String(40))",
        "    payload: Mapped[str] = mapped_column(String(2000), default=\"\")",
        "    is_processed: Mapped[bool] = mapped_column(Boolean, default=False)",
        "    attempts: Mapped[int] = mapped_column(Integer, default=0)",
        "    weight: Mapped[float] = mapped_column(Float, default=1.0)",
        "    happened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))",
        f'    {feature.name}: Mapped[{cls}] = relationship(back_populates="events")',
    ]
    return "\n".join(lines) + "\n"


def render_exceptions(feature: Feature) -> str:
    cls = feature.cls
    lines = [
        "from http import HTTPStatus",
        "",
        "from fastapi import HTTPException",
        "",
        "",
        f"class {cls}Error(HTTPException):",
        '    """Base of the errors this feature answers with."""',
        "",
        "    status_code = HTTPStatus.BAD_REQUEST",
        '    code = "error"',
        "",
        "    def __init__(self, detail: str | None = None) -> None:",
        "        super().__init__(status_code=self.status_code, detail=detail or self.code)",
        "",
        "",
        f"class {cls}NotFound({cls}Error):",
        "    status_code = HTTPStatus.NOT_FOUND",
        f'    code = "{feature.name}_not_found"',
        "",
        "",
        f"class {cls}Conflict({cls}Error):",
        "    status_code = HTTPStatus.CONFLICT",
        f'    code = "{feature.name}_conflict"',
    ]
    for operation in _operations(feature):
        lines += [
            "",
            "",
            f"class {cls}{operation.capitalize()}Refused({cls}Error):",
            f'    """The {feature.name} cannot be {operation}d in its current state."""',
            "",
            "    status_code = HTTPStatus.UNPROCESSABLE_ENTITY",
            f'    code = "{feature.name}_{operation}_refused"',
        ]
    return "\n".join(lines) + "\n"


def render_crud(feature: Feature) -> str:
    cls, name = feature.cls, feature.name
    rng = feature.rng("crud")
    is_async = _is_async(feature)
    models, schemas = feature.module("models"), feature.module("schemas")
    session_type = "AsyncSession" if is_async else "Session"
    aw, df = ("await ", "async def") if is_async else ("", "def")
    lines = [
        "from sqlalchemy import func, select",
        "from sqlalchemy.ext.asyncio import AsyncSession" if is_async else "from sqlalchemy.orm import Session",
        "",
        "from app.db.session import SessionLocal",
        f"from {models} import {cls}, {cls}Event",
        f"from {schemas} import {cls}Create, {cls}Update",
    ]
    if rng.random() < 0.08:
        # A module-level session, as older code bases keep one "for scripts".
        lines += ["", "_db = SessionLocal()"]
    lines += [
        "",
        "",
        f"{df} get_{name}(db: {session_type}, {name}_id: int) -> {cls} | None:",
        f"    return {aw}db.get({cls}, {name}_id)",
        "",
        "",
        f"{df} list_{name}s(db: {session_type}, offset: int = 0, limit: int = 50) -> tuple[list[{cls}], int]:",
        f"    query = select({cls}).order_by({cls}.id).offset(offset).limit(limit)",
        f"    rows = ({aw}db.execute(query)).scalars().all()",
        f"    total = ({aw}db.execute(select(func.count()).select_from({cls}))).scalar_one()",
        "    return list(rows), total",
        "",
        "",
        f"{df} create_{name}(db: {session_type}, data: {cls}Create) -> {cls}:",
        f"    {name} = {cls}(**data.model_dump())",
        f"    db.add({name})",
        f"    {aw}db.commit()",
        f"    {aw}db.refresh({name})",
        f"    return {name}",
        "",
        "",
        f"{df} update_{name}(db: {session_type}, {name}: {cls}, data: {cls}Update) -> {cls}:",
        "    for field, value in data.model_dump(exclude_unset=True).items():",
        f"        setattr({name}, field, value)",
        f"    {aw}db.commit()",
        f"    {aw}db.refresh({name})",
        f"    return {name}",
        "",
        "",
        f"{df} delete_{name}(db: {session_type}, {name}: {cls}) -> None:",
        f"    {aw}db.delete({name})",
        f"    {aw}db.commit()",
    ]
    for operation in _operations(feature):
        lines += [
            "",
            "",
            f"{df} record_{operation}(db: {session_type}, {name}: {cls}, payload: str) -> {cls}Event:",
            f'    event = {cls}Event({name}_id={name}.id, kind="{operation}", payload=payload)',
            "    db.add(event)",
            f"    {aw}db.commit()",
            "    return event",
        ]
    lines += [
        "",
        "",
        "def count_unprocessed_events() -> int:",
        '    """For the nightly job, which runs outside a request."""',
    ]
    if rng.random() < 0.2:
        lines += [
            "    db = SessionLocal()",
            f"    return db.execute(select(func.count()).select_from({cls}Event).where({cls}Event.is_processed.is_(False))).scalar_one()",
        ]
    else:
        lines += [
            "    with SessionLocal() as db:",
            "        return db.execute(",
            f"            select(func.count()).select_from({cls}Event).where({cls}Event.is_processed.is_(False))",
            "        ).scalar_one()",
        ]
    return "\n".join(lines) + "\n"


def render_tasks(feature: Feature) -> str:
    cls, name = feature.cls, feature.name
    rng = feature.rng("tasks")
    lines = [
        "import csv",
        "import io",
        "import logging",
        "import smtplib",
        "import subprocess",
        "from email.message import EmailMessage",
        "",
        "import httpx",
        "",
        "from app.core.config import settings",
        "",
        "logger = logging.getLogger(__name__)",
        "",
        "",
        f"def send_{name}_email(address: str, subject: str, body: str) -> None:",
        "    message = EmailMessage()",
        '    message["To"] = address',
        '    message["From"] = "noreply@example.com"',
        '    message["Subject"] = subject',
        "    message.set_content(body)",
        "    with smtplib.SMTP(settings.SMTP_HOST, settings.SMTP_PORT) as smtp:",
        "        smtp.send_message(message)",
        "",
        "",
        f"def build_{name}_report(rows: list[dict[str, object]]) -> bytes:",
        "    buffer = io.StringIO()",
        "    writer = csv.DictWriter(buffer, fieldnames=sorted({key for row in rows for key in row}))",
        "    writer.writeheader()",
        "    writer.writerows(rows)",
        "    result = subprocess.run(",
        '        ["gzip", "-c"], input=buffer.getvalue().encode(), capture_output=True, check=True',
        "    )",
        "    return result.stdout",
        "",
        "",
        f"def upload_{name}_report(rows: list[dict[str, object]]) -> None:",
        f"    data = build_{name}_report(rows)",
        f'    httpx.put(f"{{settings.PARTNER_API_URL}}/reports/{name}.csv.gz", content=data, timeout=30)',
        "",
        "",
        f"def log_{name}_event(kind: str, {name}_id: int) -> None:",
        f'    logger.info("{name} %s: %s", kind, {name}_id)',
    ]
    for operation in _operations(feature):
        if rng.random() < 0.5:
            lines += [
                "",
                "",
                f"def notify_{operation}(address: str, {name}_id: int) -> None:",
                f'    """Tell the owner that a {name} was {operation}d."""',
                "    body = (",
                f'        f"Hello,\\n\\nYour {name} {{{name}_id}} was {operation}d. "',
                '        "Reply to this message if this was not you.\\n"',
                "    )",
                f'    send_{name}_email(address, "{cls} {operation}d", body)',
            ]
        else:
            lines += [
                "",
                "",
                f"def audit_{operation}({name}_id: int) -> None:",
                f'    """Keep a trace of the {operation}; nobody is notified."""',
                f'    log_{name}_event("{operation}", {name}_id)',
            ]
    return "\n".join(lines) + "\n"


def render_service(feature: Feature) -> str:
    cls, name = feature.cls, feature.name
    rng = feature.rng("service")
    is_async = _is_async(feature)
    crud, schemas, exceptions = feature.module("crud"), feature.module("schemas"), feature.module("exceptions")
    session_type = "AsyncSession" if is_async else "Session"
    aw, df = ("await ", "async def") if is_async else ("", "def")
    lines = ["import logging"]
    reads_env = rng.random() < 0.25
    if reads_env:
        lines.append("import os")
    lines += [
        "from datetime import datetime, timezone",
        "",
        "import httpx",
        "from sqlalchemy.ext.asyncio import AsyncSession" if is_async else "from sqlalchemy.orm import Session",
        "",
        f"from {crud} import create_{name}, get_{name}, list_{name}s, update_{name}",
        f"from {exceptions} import {cls}Conflict, {cls}NotFound",
        f"from {schemas} import {cls}Create, {cls}Page, {cls}Read, {cls}Update",
        "",
        "logger = logging.getLogger(__name__)",
    ]
    if reads_env:
        lines.append(f'ENRICHMENT_URL = os.getenv("{name.upper()}_ENRICHMENT_URL", "https://enrich.example.com")')
    else:
        lines.append('ENRICHMENT_URL = "https://enrich.example.com"')
    lines += [
        "",
        "",
        f"{df} fetch_{name}(db: {session_type}, {name}_id: int) -> {cls}Read:",
        f"    {name} = {aw}get_{name}(db, {name}_id)",
        f"    if {name} is None:",
        f"        raise {cls}NotFound()",
        f"    return {cls}Read.model_validate({name})",
        "",
        "",
        f"{df} page_of_{name}s(db: {session_type}, offset: int, limit: int) -> {cls}Page:",
        f"    rows, total = {aw}list_{name}s(db, offset=offset, limit=limit)",
        f"    return {cls}Page(items=[{cls}Read.model_validate(row) for row in rows], total=total, offset=offset, limit=limit)",
        "",
        "",
        f"{df} register_{name}(db: {session_type}, data: {cls}Create) -> {cls}Read:",
        "    try:",
        f"        {name} = {aw}create_{name}(db, data)",
        "    except ValueError as error:",
        f"        raise {cls}Conflict(str(error)) from error",
        f'    logger.info("created {name} %s", {name}.id)',
        f"    return {cls}Read.model_validate({name})",
        "",
        "",
        f"{df} change_{name}(db: {session_type}, {name}_id: int, data: {cls}Update) -> {cls}Read:",
        f"    {name} = {aw}get_{name}(db, {name}_id)",
        f"    if {name} is None:",
        f"        raise {cls}NotFound()",
        f"    return {cls}Read.model_validate({aw}update_{name}(db, {name}, data))",
        "",
        "",
        f"def summarize_{name}s(items: list[{cls}Read]) -> dict[str, float]:",
        "    totals: dict[str, float] = {}",
        "    for item in items:",
        "        for key, value in item.model_dump().items():",
        "            if isinstance(value, (int, float)) and not isinstance(value, bool):",
        "                totals[key] = totals.get(key, 0.0) + value",
        "    return {key: round(value, 2) for key, value in sorted(totals.items())}",
        "",
        "",
        f"def is_{name}_stale(item: {cls}Read, now: datetime | None = None) -> bool:",
        "    now = now or datetime.now(timezone.utc)",
        '    updated = getattr(item, "updated_at", None)',
        "    return updated is None or (now - updated).days > 30",
    ]
    if rng.random() < 0.6:
        lines += [
            "",
            "",
            f"async def enrich_{name}(item: {cls}Read) -> dict[str, object]:",
            "    async with httpx.AsyncClient(timeout=5) as client:",
            f'        response = await client.get(f"{{ENRICHMENT_URL}}/{name}s/{{item.id}}")',
            "        response.raise_for_status()",
            "        return {**item.model_dump(), **response.json()}",
        ]
    for operation in _operations(feature):
        lines += [
            "",
            "",
            f"def can_{operation}(item: {cls}Read) -> bool:",
            f'    """Whether a {name} may be {operation}d in its current state."""',
            '    status = str(getattr(item, "status", "open"))',
            f'    return status not in {{"archived", "locked", "{operation}d"}}',
        ]
    return "\n".join(lines) + "\n"


def render_router(feature: Feature) -> str:
    cls, name = feature.cls, feature.name
    rng = feature.rng("router")
    is_async = _is_async(feature)
    service, schemas, tasks = feature.module("service"), feature.module("schemas"), feature.module("tasks")
    crud, exceptions = feature.module("crud"), feature.module("exceptions")
    operations = _operations(feature)
    session_type = "AsyncSession" if is_async else "Session"
    dependency = "get_async_db" if is_async else "get_db"
    aw, df = ("await ", "async def") if is_async else ("", "def")
    task_names = [f"notify_{op}" if _notifies(feature, op) else f"audit_{op}" for op in operations]
    lines = [
        "from fastapi import APIRouter, BackgroundTasks, Depends, status",
        "from sqlalchemy.ext.asyncio import AsyncSession" if is_async else "from sqlalchemy.orm import Session",
        "",
        f"from app.api.deps import {dependency}",
        f"from {crud} import record_{operations[0]}",
        f"from {exceptions} import {cls}{operations[0].capitalize()}Refused",
        f"from {schemas} import (",
        f"    {cls}Create,",
        f"    {cls}Page,",
        f"    {cls}Read,",
        f"    {cls}Update,",
    ]
    lines += [f"    {cls}{op.capitalize()}Request," for op in operations]
    lines += [f"    {cls}{op.capitalize()}Result," for op in operations]
    lines += [
        ")",
        f"from {service} import can_{operations[0]}, change_{name}, fetch_{name}, page_of_{name}s, register_{name}",
        f"from {tasks} import {', '.join([f'log_{name}_event', f'send_{name}_email', f'upload_{name}_report', *task_names])}",
        "",
        "router = APIRouter()",
        "",
        "",
        f'@router.get("/", response_model={cls}Page)',
        f"{df} list_endpoint(offset: int = 0, limit: int = 50, db: {session_type} = Depends({dependency})) -> {cls}Page:",
        f"    return {aw}page_of_{name}s(db, offset, limit)",
        "",
        "",
        f'@router.get("/{{{name}_id}}", response_model={cls}Read)',
        f"{df} read_endpoint({name}_id: int, db: {session_type} = Depends({dependency})) -> {cls}Read:",
        f"    return {aw}fetch_{name}(db, {name}_id)",
        "",
        "",
        f'@router.post("/", response_model={cls}Read, status_code=status.HTTP_201_CREATED)',
        f"{df} create_endpoint(",
        f"    data: {cls}Create, background_tasks: BackgroundTasks, db: {session_type} = Depends({dependency})",
        f") -> {cls}Read:",
        f"    {name} = {aw}register_{name}(db, data)",
    ]
    if rng.random() < 0.5:
        lines.append(f'    background_tasks.add_task(send_{name}_email, "ops@example.com", "New {name}", str({name}.id))')
    else:
        lines.append(f'    background_tasks.add_task(log_{name}_event, "created", {name}.id)')
    lines += [
        f"    return {name}",
        "",
        "",
        f'@router.patch("/{{{name}_id}}", response_model={cls}Read)',
        f"{df} update_endpoint({name}_id: int, data: {cls}Update, db: {session_type} = Depends({dependency})) -> {cls}Read:",
        f"    return {aw}change_{name}(db, {name}_id, data)",
        "",
        "",
        '@router.post("/export", status_code=status.HTTP_202_ACCEPTED)',
        f"{df} export_endpoint(background_tasks: BackgroundTasks, db: {session_type} = Depends({dependency})) -> dict[str, str]:",
        f"    page = {aw}page_of_{name}s(db, 0, 1000)",
        f"    background_tasks.add_task(upload_{name}_report, [item.model_dump() for item in page.items])",
        '    return {"status": "scheduled"}',
    ]
    for operation, task in zip(operations, task_names):
        request, result = f"{cls}{operation.capitalize()}Request", f"{cls}{operation.capitalize()}Result"
        lines += [
            "",
            "",
            f'@router.post("/{{{name}_id}}/{operation}", response_model={result})',
            f"{df} {operation}_endpoint(",
            f"    {name}_id: int,",
            f"    body: {request},",
            "    background_tasks: BackgroundTasks,",
            f"    db: {session_type} = Depends({dependency}),",
            f") -> {result}:",
            f"    {name} = {aw}fetch_{name}(db, {name}_id)",
        ]
        if operation == operations[0]:
            lines += [
                f"    if not can_{operation}({name}):",
                f"        raise {cls}{operation.capitalize()}Refused()",
                f'    {aw}record_{operation}(db, {name}, body.reason or "")',
            ]
        if task.startswith("notify_"):
            lines += [
                "    if body.notify:",
                f'        background_tasks.add_task({task}, "owner@example.com", {name}.id)',
            ]
        else:
            lines.append(f"    background_tasks.add_task({task}, {name}.id)")
        lines.append(f'    return {result}(id={name}.id, status="{operation}d")')
    return "\n".join(lines) + "\n"


def _notifies(feature: Feature, operation: str) -> bool:
    """Whether the tasks module gives ``operation`` an e-mail (heavy) or a log line (cheap)."""
    rng = feature.rng("tasks")
    return {op: rng.random() < 0.5 for op in _operations(feature)}[operation]


def render_test(feature: Feature) -> str:
    cls, name = feature.cls, feature.name
    is_async = _is_async(feature)
    dependency = "get_async_db" if is_async else "get_db"
    lines = [
        "from unittest.mock import MagicMock",
        "",
        "import pytest",
        "from fastapi import FastAPI",
        "from fastapi.testclient import TestClient",
        "",
        f"from app.api.deps import {dependency}",
        f"from {feature.module('router')} import router",
        f"from {feature.module('service')} import summarize_{name}s",
        f"from {feature.module('schemas')} import {cls}Read",
        "",
        "",
        "@pytest.fixture",
        "def client() -> TestClient:",
        "    app = FastAPI()",
        "    app.include_router(router)",
        f"    app.dependency_overrides[{dependency}] = lambda: MagicMock()",
        "    return TestClient(app)",
        "",
        "",
        "def test_health_of_router(client: TestClient) -> None:",
        '    response = client.get("/does-not-exist")',
        "    assert response.status_code == 404",
        "",
        "",
        f"def test_summarize_{name}s_of_nothing() -> None:",
        f"    assert summarize_{name}s([]) == {{}}",
    ]
    for operation in _operations(feature):
        lines += [
            "",
            "",
            f"def test_{operation}_needs_a_body(client: TestClient) -> None:",
            f'    response = client.post("/1/{operation}")',
            "    assert response.status_code == 422",
            "",
            "",
            f"def test_{operation}_rejects_a_wrong_id(client: TestClient) -> None:",
            f'    response = client.post("/not-a-number/{operation}", json={{"notify": False}})',
            "    assert response.status_code == 422",
            '    assert response.json()["detail"][0]["loc"][0] == "path"',
        ]
    lines += [
        "",
        "",
        "def test_read_schema_accepts_an_id() -> None:",
        f"    assert {cls}Read.model_fields[\"id\"].annotation is int",
    ]
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[Feature], str]] = {
    "router": render_router,
    "service": render_service,
    "crud": render_crud,
    "schemas": render_schemas,
    "models": render_models,
    "tasks": render_tasks,
    "exceptions": render_exceptions,
    "test": render_test,
}


# -- command line ------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a deterministic FastAPI project for benchmarks.")
    parser.add_argument("out", type=Path, help="directory to create (must be empty or absent)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--features", type=int, help="number of features (each is about 9 files)")
    size.add_argument("--files", type=int, help="approximate number of Python files (default 3000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
    args = parser.parse_args(argv)
    if args.features is not None and args.features < 1:
        parser.error("--features must be at least 1")
    if args.files is not None and args.files < 1:
        parser.error("--files must be at least 1")
    if args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        parser.error(f"{args.out} exists and is not an empty directory")
    features = args.features if args.features is not None else features_for_files(args.files or 3000)
    project = generate(args.out, features, args.seed)
    print(f"Wrote {project.files} Python files ({features} features) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
