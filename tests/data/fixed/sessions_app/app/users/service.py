from sqlalchemy import select
from sqlalchemy.orm import Session

from app.users.models import User


def create_user(db: Session, name: str) -> User:
    user = User(name=name)
    db.add(user)
    db.commit()
    db.refresh(user)
    return user


def find_user(db: Session, user_id: int) -> User | None:
    return db.get(User, user_id)


def find_by_name(db: Session, name: str) -> User | None:
    return db.scalars(select(User).where(User.name == name)).first()


def register(db: Session, name: str) -> tuple[User, bool]:
    """The user called ``name``, created when missing; and whether it was created."""
    existing = find_by_name(db, name)
    if existing is not None:
        return existing, False
    return create_user(db, name), True
