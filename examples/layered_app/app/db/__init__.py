from .session import SessionLocal, async_session_factory, engine

__all__ = ["SessionLocal", "async_session_factory", "engine"]
