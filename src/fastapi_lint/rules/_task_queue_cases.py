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
        from app.utils.email import send_welcome_email

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

        from ..services import notify_slack
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
