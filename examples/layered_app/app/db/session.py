from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import sessionmaker

from app.core.config import settings

engine = create_engine(settings.DATABASE_URL.replace("+asyncpg", ""))
SessionLocal = sessionmaker(bind=engine, autoflush=False)

async_engine = create_async_engine(settings.DATABASE_URL)
async_session_factory = async_sessionmaker(async_engine)

# One session shared by every request.
db = SessionLocal()
