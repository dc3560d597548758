from fastapi import APIRouter
from sqlalchemy import func, select

from app.database import SessionLocal
from app.users.models import User

router = APIRouter(prefix="/stats", tags=["stats"])


def user_count() -> int:
    session = SessionLocal()
    count = session.scalar(select(func.count()).select_from(User))
    session.close()
    return count


def first_names(limit: int) -> list[str]:
    return names_in(SessionLocal(), limit)


def names_in(session, limit: int) -> list[str]:
    return list(session.scalars(select(User.name).order_by(User.id).limit(limit)))


@router.get("")
def read_stats():
    return {"users": user_count(), "first": first_names(3)}
