"""Fakes for the SMTP server and, once the app enqueues jobs, for the ARQ queue."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import app
from app.routers.users import USERS


class FakeSMTP:
    outbox: list[EmailMessage] = []

    def __init__(self, host: str, *args: Any, **kwargs: Any) -> None:
        self.host = host

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send_message(self, message: EmailMessage) -> None:
        FakeSMTP.outbox.append(message)


class FakeQueue:
    """Stands in for the ARQ pool: records the jobs, and runs them as the worker would."""

    def __init__(self) -> None:
        self.jobs: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    async def enqueue_job(self, function: str, *args: Any, **kwargs: Any) -> None:
        self.jobs.append((function, args, kwargs))

    def run_jobs(self) -> None:
        if not self.jobs:
            return
        from app.worker import WorkerSettings

        functions = {function.__name__: function for function in WorkerSettings.functions}
        for name, args, kwargs in self.jobs:
            asyncio.run(functions[name]({}, *args, **kwargs))
        self.jobs.clear()


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[EmailMessage]]:
    FakeSMTP.outbox = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    yield FakeSMTP.outbox


@pytest.fixture
def queue() -> Iterator[FakeQueue]:
    fake = FakeQueue()
    try:
        from app.dependencies import get_arq_pool
    except ImportError:
        # E-mails still go through BackgroundTasks: nothing to fake.
        yield fake
        return
    app.dependency_overrides[get_arq_pool] = lambda: fake
    yield fake
    app.dependency_overrides.pop(get_arq_pool, None)


@pytest.fixture
def client(outbox: list[EmailMessage], queue: FakeQueue) -> Iterator[TestClient]:
    USERS.clear()
    with TestClient(app) as test_client:
        yield test_client
