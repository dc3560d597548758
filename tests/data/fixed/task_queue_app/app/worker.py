"""The ARQ worker: `arq app.worker.WorkerSettings` runs the jobs the web app enqueues."""

import asyncio

from arq.connections import RedisSettings

from app.email import send_welcome_email


async def send_welcome_email_task(ctx, *args, **kwargs):
    # send_welcome_email is a regular function: run it in a thread so the worker keeps serving other jobs.
    return await asyncio.to_thread(send_welcome_email, *args, **kwargs)


class WorkerSettings:
    functions = [send_welcome_email_task]
    redis_settings = RedisSettings()
