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
