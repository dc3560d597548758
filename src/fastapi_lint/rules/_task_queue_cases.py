"""FAPI401's cases for its fix (moving the task to ARQ or Celery), kept apart from the
detection cases in ``heavy_background_task.py``."""

from __future__ import annotations

from fastapi_lint.linter.rule import Invalid

_EMAIL = """
    import smtplib


    def send_welcome_email(address: str) -> None:
        with smtplib.SMTP("mail.example.com") as server:
            server.sendmail("hello@example.com", [address], "Welcome!")
"""

_NEW_DEPENDENCIES = '''\
    """FastAPI dependencies."""

    from collections.abc import AsyncIterator

    from arq import create_pool
    from arq.connections import ArqRedis, RedisSettings


    async def get_arq_pool() -> AsyncIterator[ArqRedis]:
        """A connection to the ARQ queue for one request (Redis from `RedisSettings`)."""
        pool = await create_pool(RedisSettings())
        try:
            yield pool
        finally:
            await pool.close()
'''

_NEW_WORKER = '''\
    """The ARQ worker: `arq app.worker.WorkerSettings` runs the jobs the web app enqueues."""

    import asyncio

    from arq.connections import RedisSettings

    from app.utils.email import send_welcome_email


    async def send_welcome_email_task(ctx, *args, **kwargs):
        # send_welcome_email is a regular function: run it in a thread so the worker keeps serving other jobs.
        return await asyncio.to_thread(send_welcome_email, *args, **kwargs)


    class WorkerSettings:
        functions = [send_welcome_email_task]
        redis_settings = RedisSettings()
'''

_EXISTING_WORKER = """
    from arq.connections import RedisSettings

    from app.reports import build_report


    async def build_report_task(ctx, month: int) -> None:
        await build_report(month)


    class WorkerSettings:
        functions = [
            build_report_task,
        ]
        redis_settings = RedisSettings(host="redis")
"""

_EXISTING_DEPS = """
    from typing import Annotated

    from arq.connections import ArqRedis
    from fastapi import Depends, Request


    def get_queue(request: Request) -> ArqRedis:
        return request.app.state.arq


    Queue = Annotated[ArqRedis, Depends(get_queue)]
"""

TASK_QUEUE_CASES = [
    # ARQ from scratch: a new worker module and a new dependencies module; the
    # aliased BackgroundTasks parameter and its import go.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks as BT

        from app.utils.email import send_welcome_email

        router = APIRouter()


        @router.post("/users")
        async def create_user(address: str, bg: BT) -> dict:
            bg.add_task(send_welcome_email, address)
            return {"ok": True}
        """,
        line=11,
        path="app/routers/users.py",
        unsafe_fixes=True,
        files={
            "app/__init__.py": "",
            "app/routers/__init__.py": "",
            "app/utils/__init__.py": "",
            "app/utils/email.py": _EMAIL,
        },
        expected_fix="""
        from arq.connections import ArqRedis
        from fastapi import APIRouter, Depends

        from app.dependencies import get_arq_pool

        router = APIRouter()


        @router.post("/users")
        async def create_user(address: str, arq_pool: ArqRedis = Depends(get_arq_pool)) -> dict:
            await arq_pool.enqueue_job("send_welcome_email_task", address)
            return {"ok": True}
        """,
        expected_files={
            "app/worker.py": _NEW_WORKER,
            "app/dependencies.py": _NEW_DEPENDENCIES,
            "app/utils/email.py": _EMAIL,
        },
    ),
    # An async task imported relatively through a re-export; the project's worker
    # settings and its pool dependency (Annotated style, in app/api/deps.py) are reused.
    Invalid(
        """
        from typing import Annotated

        from fastapi import APIRouter, BackgroundTasks, Depends

        from ..services import notify_slack
        from .deps import Queue

        router = APIRouter()


        @router.get("/queue")
        async def queue_size(queue: Queue) -> int:
            return await queue.zcard("arq:queue")


        @router.post("/reports/{month}")
        async def order_report(
            month: int,
            channel: str,
            background_tasks: Annotated[BackgroundTasks, Depends()],
        ) -> None:
            background_tasks.add_task(notify_slack, channel, text=f"report {month} ordered")
        """,
        line=23,
        path="app/api/reports.py",
        unsafe_fixes=True,
        files={
            "app/__init__.py": "",
            "app/api/__init__.py": "",
            "app/api/deps.py": _EXISTING_DEPS,
            "app/services/__init__.py": "from .slack import notify_slack\n",
            "app/services/slack.py": """
                import httpx


                async def notify_slack(channel: str, text: str) -> None:
                    async with httpx.AsyncClient() as client:
                        await client.post("https://slack.example.com", json={"channel": channel, "text": text})
            """,
            "app/reports.py": "async def build_report(month: int) -> None:\n    return None\n",
            "app/worker.py": _EXISTING_WORKER,
        },
        expected_fix="""
        from typing import Annotated

        from arq.connections import ArqRedis
        from fastapi import APIRouter, Depends

        from .deps import Queue, get_queue

        router = APIRouter()


        @router.get("/queue")
        async def queue_size(queue: Queue) -> int:
            return await queue.zcard("arq:queue")


        @router.post("/reports/{month}")
        async def order_report(
            month: int,
            channel: str,
            arq_pool: Annotated[ArqRedis, Depends(get_queue)],
        ) -> None:
            await arq_pool.enqueue_job("notify_slack_task", channel, text=f"report {month} ordered")
        """,
        expected_files={
            "app/api/deps.py": _EXISTING_DEPS,
            "app/worker.py": """
                from arq.connections import RedisSettings

                from app.reports import build_report
                from app.services.slack import notify_slack


                async def build_report_task(ctx, month: int) -> None:
                    await build_report(month)


                async def notify_slack_task(ctx, *args, **kwargs):
                    return await notify_slack(*args, **kwargs)


                class WorkerSettings:
                    functions = [
                        build_report_task,
                        notify_slack_task,
                    ]
                    redis_settings = RedisSettings(host="redis")
            """,
        },
    ),
]

_SETTINGS_DEPS = """
    from functools import lru_cache

    from app.config import Settings


    @lru_cache
    def get_settings() -> Settings:
        return Settings()
"""

_CELERY_APP = """
    from celery import Celery

    celery_app = Celery("app", broker="redis://localhost:6379/0")
"""

_REPORTS = """
    from reportlab.pdfgen import canvas


    def build_report(month: int) -> None:
        canvas.Canvas(f"{month}.pdf").save()
"""

TASK_QUEUE_CASES += [
    # A task defined in the route's module, a cheap task still scheduled (the
    # BackgroundTasks parameter stays), and the project's dependencies module gets
    # `get_arq_pool`.
    Invalid(
        """
        import logging

        import requests
        from fastapi import BackgroundTasks, FastAPI

        app = FastAPI()
        logger = logging.getLogger(__name__)


        def call_webhook(url: str) -> None:
            requests.post(url, timeout=10)


        def log_event(name: str) -> None:
            logger.info("event %s", name)


        @app.post("/events")
        async def create_event(url: str, background_tasks: BackgroundTasks) -> dict:
            background_tasks.add_task(log_event, "created")
            background_tasks.add_task(
                call_webhook,
                url,
            )
            return {"ok": True}
        """,
        line=22,
        path="app/main.py",
        unsafe_fixes=True,
        files={"app/__init__.py": "", "app/config.py": "class Settings:\n    pass\n", "app/dependencies.py": _SETTINGS_DEPS},
        expected_fix="""
        import logging

        import requests
        from arq.connections import ArqRedis
        from fastapi import BackgroundTasks, Depends, FastAPI

        from app.dependencies import get_arq_pool

        app = FastAPI()
        logger = logging.getLogger(__name__)


        def call_webhook(url: str) -> None:
            requests.post(url, timeout=10)


        def log_event(name: str) -> None:
            logger.info("event %s", name)


        @app.post("/events")
        async def create_event(url: str, background_tasks: BackgroundTasks, arq_pool: ArqRedis = Depends(get_arq_pool)) -> dict:
            background_tasks.add_task(log_event, "created")
            await arq_pool.enqueue_job(
                "call_webhook_task",
                url,
            )
            return {"ok": True}
        """,
        expected_files={
            "app/dependencies.py": '''
                from collections.abc import AsyncIterator
                from functools import lru_cache

                from arq import create_pool
                from arq.connections import ArqRedis, RedisSettings

                from app.config import Settings


                @lru_cache
                def get_settings() -> Settings:
                    return Settings()


                async def get_arq_pool() -> AsyncIterator[ArqRedis]:
                    """A connection to the ARQ queue for one request (Redis from `RedisSettings`)."""
                    pool = await create_pool(RedisSettings())
                    try:
                        yield pool
                    finally:
                        await pool.close()
            ''',
            "app/worker.py": '''\
                """The ARQ worker: `arq app.worker.WorkerSettings` runs the jobs the web app enqueues."""

                import asyncio

                from arq.connections import RedisSettings

                from app.main import call_webhook


                async def call_webhook_task(ctx, *args, **kwargs):
                    # call_webhook is a regular function: run it in a thread so the worker keeps serving other jobs.
                    return await asyncio.to_thread(call_webhook, *args, **kwargs)


                class WorkerSettings:
                    functions = [call_webhook_task]
                    redis_settings = RedisSettings()
            ''',
        },
    ),
    # Two heavy tasks in one route: both are enqueued (one fix a pass), the route
    # already has a pool parameter, and the worker gets both wrappers.
    Invalid(
        """
        from arq.connections import ArqRedis
        from fastapi import APIRouter, BackgroundTasks, Depends

        from app.deps import get_pool
        from app.reports import build_report
        from app.utils.email import send_welcome_email

        router = APIRouter()


        @router.post("/signup")
        async def signup(
            address: str,
            tasks: BackgroundTasks,
            pool: ArqRedis = Depends(get_pool),
        ) -> None:
            tasks.add_task(send_welcome_email, address)
            tasks.add_task(build_report, month=1)
        """,
        line=18,
        count=2,
        path="app/routes.py",
        unsafe_fixes=True,
        files={
            "app/__init__.py": "",
            "app/deps.py": "from arq import create_pool\n\n\nasync def get_pool():\n    return await create_pool()\n",
            "app/reports.py": _REPORTS,
            "app/utils/__init__.py": "",
            "app/utils/email.py": _EMAIL,
        },
        expected_fix="""
        from arq.connections import ArqRedis
        from fastapi import APIRouter, Depends

        from app.deps import get_pool

        router = APIRouter()


        @router.post("/signup")
        async def signup(
            address: str,
            pool: ArqRedis = Depends(get_pool),
        ) -> None:
            await pool.enqueue_job("send_welcome_email_task", address)
            await pool.enqueue_job("build_report_task", month=1)
        """,
        expected_files={
            "app/worker.py": '''\
                """The ARQ worker: `arq app.worker.WorkerSettings` runs the jobs the web app enqueues."""

                import asyncio

                from arq.connections import RedisSettings

                from app.reports import build_report
                from app.utils.email import send_welcome_email


                async def send_welcome_email_task(ctx, *args, **kwargs):
                    # send_welcome_email is a regular function: run it in a thread so the worker keeps serving other jobs.
                    return await asyncio.to_thread(send_welcome_email, *args, **kwargs)


                async def build_report_task(ctx, *args, **kwargs):
                    # build_report is a regular function: run it in a thread so the worker keeps serving other jobs.
                    return await asyncio.to_thread(build_report, *args, **kwargs)


                class WorkerSettings:
                    functions = [send_welcome_email_task, build_report_task]
                    redis_settings = RedisSettings()
            ''',
            "app/dependencies.py": None,
        },
    ),
    # A sync route and ARQ: no fix, and the message says why.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks

        from app.utils.email import send_welcome_email

        router = APIRouter()


        @router.post("/users")
        def create_user(address: str, background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(send_welcome_email, address)
        """,
        line=11,
        unsafe_fixes=True,
        message_contains=(
            "No automatic fix: `create_user` is a sync route and ARQ jobs are enqueued with `await`; "
            'make the route `async def` first, or set `task-queue = "celery"`.'
        ),
        files={"app/__init__.py": "", "app/utils/__init__.py": "", "app/utils/email.py": _EMAIL},
    ),
    # A database session cannot travel to the worker: the message names the argument.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks, Depends
        from sqlalchemy.orm import Session

        from app.db import get_db
        from app.reports import build_report

        router = APIRouter()


        @router.post("/reports")
        async def order_report(background_tasks: BackgroundTasks, db: Session = Depends(get_db)) -> None:
            background_tasks.add_task(build_report, 1, db=db)
        """,
        line=13,
        unsafe_fixes=True,
        message_contains="No automatic fix: argument `db` is a database session, which cannot be sent to another process.",
        files={"app/__init__.py": "", "app/reports.py": _REPORTS, "app/db.py": "def get_db():\n    yield None\n"},
    ),
    # The request, an uploaded file and a pydantic model block the fix too.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks, Request, UploadFile
        from pydantic import BaseModel

        from app.reports import build_report

        router = APIRouter()


        class Order(BaseModel):
            month: int


        @router.post("/a")
        async def a(request: Request, background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(build_report, request)


        @router.post("/b")
        async def b(upload: UploadFile, background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(build_report, upload)


        @router.post("/c")
        async def c(order: Order, background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(build_report, order.month)
            background_tasks.add_task(build_report, order)
            background_tasks.add_task(build_report, open("x.csv"))
            background_tasks.add_task(build_report, lambda: 1)
        """,
        line=16,
        count=6,
        unsafe_fixes=True,
        message_contains="No automatic fix: argument `request` is the request, which cannot be sent to another process.",
        files={"app/__init__.py": "", "app/reports.py": _REPORTS},
        # ``order.month`` is an int field: that one call is fixed.
        expected_fix="""
        from arq.connections import ArqRedis
        from fastapi import APIRouter, BackgroundTasks, Depends, Request, UploadFile
        from pydantic import BaseModel

        from app.dependencies import get_arq_pool
        from app.reports import build_report

        router = APIRouter()


        class Order(BaseModel):
            month: int


        @router.post("/a")
        async def a(request: Request, background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(build_report, request)


        @router.post("/b")
        async def b(upload: UploadFile, background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(build_report, upload)


        @router.post("/c")
        async def c(order: Order, background_tasks: BackgroundTasks, arq_pool: ArqRedis = Depends(get_arq_pool)) -> None:
            await arq_pool.enqueue_job("build_report_task", order.month)
            background_tasks.add_task(build_report, order)
            background_tasks.add_task(build_report, open("x.csv"))
            background_tasks.add_task(build_report, lambda: 1)
        """,
    ),
    # Celery: the task gets the project's app decorator, the call becomes `.delay()`
    # (a sync route is fine), the BackgroundTasks parameter and import go.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks

        from app.reports import build_report

        router = APIRouter()


        @router.post("/reports/{month}")
        def order_report(month: int, background_tasks: BackgroundTasks) -> dict:
            background_tasks.add_task(build_report, month)
            return {"queued": True}
        """,
        line=11,
        path="app/api/reports.py",
        unsafe_fixes=True,
        options={"task-queue": "celery"},
        files={"app/__init__.py": "", "app/api/__init__.py": "", "app/reports.py": _REPORTS, "app/celery_app.py": _CELERY_APP},
        expected_fix="""
        from fastapi import APIRouter

        from app.reports import build_report

        router = APIRouter()


        @router.post("/reports/{month}")
        def order_report(month: int) -> dict:
            build_report.delay(month)
            return {"queued": True}
        """,
        expected_files={
            "app/celery_app.py": _CELERY_APP,
            "app/reports.py": """
                from reportlab.pdfgen import canvas

                from app.celery_app import celery_app


                @celery_app.task
                def build_report(month: int) -> None:
                    canvas.Canvas(f"{month}.pdf").save()
            """,
        },
    ),
    # Celery with no Celery app in the project: no fix.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks

        from app.reports import build_report

        router = APIRouter()


        @router.post("/reports/{month}")
        def order_report(month: int, background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(build_report, month)
        """,
        line=11,
        unsafe_fixes=True,
        options={"task-queue": "celery"},
        message_contains="No automatic fix: the project has no Celery app (`celery_app = Celery(...)`) to run the task",
        files={"app/__init__.py": "", "app/reports.py": _REPORTS},
    ),
    # Celery and a task the Celery app imports: decorating it would make an import cycle.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks

        from app.reports import build_report

        router = APIRouter()


        @router.post("/reports/{month}")
        def order_report(month: int, background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(build_report, month)
        """,
        line=11,
        unsafe_fixes=True,
        options={"task-queue": "celery"},
        message_contains="No automatic fix: `app.celery_app` imports `app.reports`",
        files={
            "app/__init__.py": "",
            "app/reports.py": _REPORTS,
            "app/celery_app.py": _CELERY_APP + "\n    from app.reports import build_report  # noqa: E402\n",
        },
    ),
    # A helper that receives the BackgroundTasks is not a route: no parameter can be added.
    Invalid(
        """
        from fastapi import BackgroundTasks

        from app.reports import build_report


        async def schedule(background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(build_report, 1)
        """,
        line=8,
        unsafe_fixes=True,
        message_contains="No automatic fix: `schedule` is not a route function",
        files={"app/__init__.py": "", "app/reports.py": _REPORTS},
    ),
]

_GENERATOR_DEPS = '''
    from typing import Annotated, AsyncGenerator

    from arq import create_pool
    from arq.connections import RedisSettings
    from fastapi import BackgroundTasks, Depends


    async def get_arq_pool() -> AsyncGenerator:
        pool = await create_pool(RedisSettings(host="redis"))
        try:
            yield pool
        finally:
            await pool.close()


    Tasks = Annotated[BackgroundTasks, Depends()]
'''

_ASYNC_MAIL = """
    import aiosmtplib


    async def send_receipt(to: str) -> None:
        await aiosmtplib.send("receipt", recipients=[to], hostname="smtp")
"""

TASK_QUEUE_CASES += [
    # An Annotated alias of BackgroundTasks from the dependencies module, and the
    # project's own `get_arq_pool` (found by what it yields) reused in the Annotated form.
    Invalid(
        """
        from fastapi import APIRouter

        from app.deps import Tasks
        from app.mail import send_receipt

        router = APIRouter()


        @router.post("/orders/{order_id}/receipt")
        async def send_order_receipt(order_id: int, to: str, tasks: Tasks) -> None:
            tasks.add_task(send_receipt, to)
        """,
        line=12,
        unsafe_fixes=True,
        files={"app/__init__.py": "", "app/deps.py": _GENERATOR_DEPS, "app/mail.py": _ASYNC_MAIL},
        expected_fix="""
        from typing import Annotated

        from arq.connections import ArqRedis
        from fastapi import APIRouter, Depends

        from app.deps import get_arq_pool

        router = APIRouter()


        @router.post("/orders/{order_id}/receipt")
        async def send_order_receipt(order_id: int, to: str, arq_pool: Annotated[ArqRedis, Depends(get_arq_pool)]) -> None:
            await arq_pool.enqueue_job("send_receipt_task", to)
        """,
        expected_files={
            "app/deps.py": _GENERATOR_DEPS,
            "app/worker.py": '''\
                """The ARQ worker: `arq app.worker.WorkerSettings` runs the jobs the web app enqueues."""

                from arq.connections import RedisSettings

                from app.mail import send_receipt


                async def send_receipt_task(ctx, *args, **kwargs):
                    return await send_receipt(*args, **kwargs)


                class WorkerSettings:
                    functions = [send_receipt_task]
                    redis_settings = RedisSettings()
            ''',
        },
    ),
    # Celery, with the task in the route's own module: decorated there, with the app's import.
    Invalid(
        """
        import smtplib

        from fastapi import BackgroundTasks, FastAPI

        app = FastAPI()


        def send_welcome_email(address: str) -> None:
            smtplib.SMTP("localhost").sendmail("a@b.c", [address], "hi")


        @app.post("/users")
        async def create_user(address: str, background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(send_welcome_email, address=address)
        """,
        line=15,
        path="app/main.py",
        unsafe_fixes=True,
        options={"task-queue": "celery"},
        files={"app/__init__.py": "", "app/worker.py": _CELERY_APP},
        expected_fix="""
        import smtplib

        from fastapi import FastAPI

        from app.worker import celery_app

        app = FastAPI()


        @celery_app.task
        def send_welcome_email(address: str) -> None:
            smtplib.SMTP("localhost").sendmail("a@b.c", [address], "hi")


        @app.post("/users")
        async def create_user(address: str) -> None:
            send_welcome_email.delay(address=address)
        """,
        expected_files={"app/worker.py": _CELERY_APP},
    ),
    # Celery, a task already decorated with `shared_task`: only the call changes.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks

        from app.tasks import build_report

        router = APIRouter()


        @router.post("/reports")
        def order_report(background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(build_report, 3)
        """,
        line=11,
        unsafe_fixes=True,
        options={"task-queue": "celery"},
        files={
            "app/__init__.py": "",
            "app/celery_app.py": _CELERY_APP,
            "app/tasks.py": """
                from celery import shared_task
                from reportlab.pdfgen import canvas


                @shared_task
                def build_report(month: int) -> None:
                    canvas.Canvas(f"{month}.pdf").save()
            """,
        },
        expected_fix="""
        from fastapi import APIRouter

        from app.tasks import build_report

        router = APIRouter()


        @router.post("/reports")
        def order_report() -> None:
            build_report.delay(3)
        """,
    ),
    # Celery cannot run an `async def` task.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks

        from app.mail import send_receipt

        router = APIRouter()


        @router.post("/receipts")
        async def receipt(to: str, background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(send_receipt, to)
        """,
        line=11,
        unsafe_fixes=True,
        options={"task-queue": "celery"},
        message_contains="No automatic fix: `send_receipt` is `async def`, and Celery runs only regular functions.",
        files={"app/__init__.py": "", "app/mail.py": _ASYNC_MAIL, "app/celery_app.py": _CELERY_APP},
    ),
    # A keyword of the task that `enqueue_job` would take as its own option.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks

        from app.mail import send_receipt

        router = APIRouter()


        @router.post("/receipts")
        async def receipt(to: str, background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(send_receipt, to, _job_id="x")
        """,
        line=11,
        unsafe_fixes=True,
        message_contains="No automatic fix: keyword `_job_id` is one of `enqueue_job`'s own arguments, not the task's.",
        files={"app/__init__.py": "", "app/mail.py": _ASYNC_MAIL},
    ),
    # Two ARQ worker settings classes: which one runs the job is not for the linter to guess.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks

        from app.mail import send_receipt

        router = APIRouter()


        @router.post("/receipts")
        async def receipt(to: str, background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(send_receipt, to)
        """,
        line=11,
        unsafe_fixes=True,
        message_contains="No automatic fix: the project has several ARQ worker settings (app/a.py:WorkerSettings, app/b.py:WorkerSettings).",
        files={
            "app/__init__.py": "",
            "app/mail.py": _ASYNC_MAIL,
            "app/a.py": "class WorkerSettings:\n    functions = []\n",
            "app/b.py": "class WorkerSettings:\n    functions = []\n",
        },
    ),
    # A task defined inside the route cannot be imported by the worker; an argument of
    # unknown type is not guessed at either.
    Invalid(
        """
        import httpx
        from fastapi import APIRouter, BackgroundTasks

        from app.mail import send_receipt

        router = APIRouter()


        @router.post("/a")
        async def a(background_tasks: BackgroundTasks) -> None:
            def ping() -> None:
                httpx.post("https://example.com")

            background_tasks.add_task(ping)


        @router.post("/b")
        async def b(background_tasks: BackgroundTasks) -> None:
            client = httpx.Client()
            background_tasks.add_task(send_receipt, client)
        """,
        line=15,
        count=2,
        unsafe_fixes=True,
        message_contains="No automatic fix: `ping` is defined inside the route; the worker can only import module-level functions.",
        files={"app/__init__.py": "", "app/mail.py": _ASYNC_MAIL},
    ),
]

TASK_QUEUE_CASES += [
    # A variable bound once to a literal is fine; one bound again in a loop is not.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks

        from app.reports import build_report

        router = APIRouter()


        @router.post("/a")
        async def a(orders: list[int], background_tasks: BackgroundTasks) -> None:
            month = 1
            for order in orders:
                background_tasks.add_task(build_report, month)
                month = open("log.txt")


        @router.post("/b")
        async def b(background_tasks: BackgroundTasks) -> None:
            month = 12
            background_tasks.add_task(build_report, month)
        """,
        line=13,
        count=2,
        unsafe_fixes=True,
        message_contains="No automatic fix: argument `month` is bound more than once in the function, so its value here is not certain.",
        files={"app/__init__.py": "", "app/reports.py": _REPORTS},
        expected_fix="""
        from arq.connections import ArqRedis
        from fastapi import APIRouter, BackgroundTasks, Depends

        from app.dependencies import get_arq_pool
        from app.reports import build_report

        router = APIRouter()


        @router.post("/a")
        async def a(orders: list[int], background_tasks: BackgroundTasks) -> None:
            month = 1
            for order in orders:
                background_tasks.add_task(build_report, month)
                month = open("log.txt")


        @router.post("/b")
        async def b(arq_pool: ArqRedis = Depends(get_arq_pool)) -> None:
            month = 12
            await arq_pool.enqueue_job("build_report_task", month)
        """,
    ),
]

TASK_QUEUE_CASES += [
    # `import fastapi` spellings; the BackgroundTasks (still used) is kept and the
    # Annotated pool parameter goes right after it, before the parameters with defaults.
    Invalid(
        """
        from typing import Annotated

        import fastapi

        from app.reports import build_report

        app = fastapi.FastAPI()


        @app.post("/reports")
        async def order(month: int, tasks: Annotated[fastapi.BackgroundTasks, fastapi.Depends()], notify: bool = False) -> None:
            tasks.add_task(build_report, month)
            if notify:
                tasks.add_task(print, "ordered")
        """,
        line=13,
        unsafe_fixes=True,
        files={"app/__init__.py": "", "app/reports.py": _REPORTS},
        expected_fix="""
        from typing import Annotated

        import fastapi
        from arq.connections import ArqRedis

        from app.dependencies import get_arq_pool

        app = fastapi.FastAPI()


        @app.post("/reports")
        async def order(month: int, tasks: Annotated[fastapi.BackgroundTasks, fastapi.Depends()], arq_pool: Annotated[ArqRedis, fastapi.Depends(get_arq_pool)], notify: bool = False) -> None:
            await arq_pool.enqueue_job("build_report_task", month)
            if notify:
                tasks.add_task(print, "ordered")
        """,
    ),
]

TASK_QUEUE_CASES += [
    # Another module imports the task from the route's module: that import stays.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks

        from app.reports import build_report

        router = APIRouter()


        @router.post("/reports")
        async def order(background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(build_report, 5)
        """,
        line=11,
        path="app/routes.py",
        unsafe_fixes=True,
        files={"app/__init__.py": "", "app/reports.py": _REPORTS, "app/cli.py": "from app.routes import build_report\n"},
        expected_fix="""
        from arq.connections import ArqRedis
        from fastapi import APIRouter, Depends

        from app.dependencies import get_arq_pool
        from app.reports import build_report

        router = APIRouter()


        @router.post("/reports")
        async def order(arq_pool: ArqRedis = Depends(get_arq_pool)) -> None:
            await arq_pool.enqueue_job("build_report_task", 5)
        """,
    ),
]

TASK_QUEUE_CASES += [
    # One parameter a line: comments stay with their parameter, the trailing comma stays.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks

        from app.reports import build_report

        router = APIRouter()


        @router.post("/reports")
        async def order(
            month: int,  # 1 to 12
            background_tasks: BackgroundTasks,  # the tasks
        ) -> None:
            background_tasks.add_task(build_report, month)
        """,
        line=14,
        unsafe_fixes=True,
        files={"app/__init__.py": "", "app/reports.py": _REPORTS},
        expected_fix="""
        from arq.connections import ArqRedis
        from fastapi import APIRouter, Depends

        from app.dependencies import get_arq_pool

        router = APIRouter()


        @router.post("/reports")
        async def order(
            month: int,  # 1 to 12
            arq_pool: ArqRedis = Depends(get_arq_pool),
        ) -> None:
            await arq_pool.enqueue_job("build_report_task", month)
        """,
    ),
]

TASK_QUEUE_CASES += [
    # Celery, with the app made by a factory function in another module.
    Invalid(
        """
        from fastapi import APIRouter, BackgroundTasks

        from app.reports import build_report

        router = APIRouter()


        @router.post("/reports/{month}")
        def order_report(month: int, background_tasks: BackgroundTasks) -> None:
            background_tasks.add_task(build_report, month)
        """,
        line=11,
        unsafe_fixes=True,
        options={"task-queue": "celery"},
        files={
            "app/__init__.py": "",
            "app/reports.py": _REPORTS,
            "app/factory.py": "from celery import Celery\n\n\ndef make_celery():\n    return Celery('app')\n",
            "app/worker.py": "from app.factory import make_celery\n\nqueue = make_celery()\n",
        },
        expected_fix="""
        from fastapi import APIRouter

        from app.reports import build_report

        router = APIRouter()


        @router.post("/reports/{month}")
        def order_report(month: int) -> None:
            build_report.delay(month)
        """,
        expected_files={
            "app/reports.py": """
                from reportlab.pdfgen import canvas

                from app.worker import queue


                @queue.task
                def build_report(month: int) -> None:
                    canvas.Canvas(f"{month}.pdf").save()
            """,
        },
    ),
]
