from fastapi import APIRouter
from sqlalchemy import func, select

from app.database import SessionLocal
from app.users.models import User

router = APIRouter(prefix="/stats", tags=["stats"])


def user_count() -> int:
    with SessionLocal() as session:
        count = session.scalar(select(func.count()).select_from(User))
    return count


def first_names(limit: int) -> list[str]:
    with SessionLocal() as session:
        return names_in(session, limit)


def names_in(session, limit: int) -> list[str]:
    return list(session.scalars(select(User.name).order_by(User.id).limit(limit)))


@router.get("")
def read_stats():
    return {"users": user_count(), "first": first_names(3)}
