from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.crud_base import CRUDBase
from app.users.models import User
from app.users.schemas import UserCreate


class CRUDUser(CRUDBase[User, UserCreate]):
    def get_by_email(self, db: Session, email: str) -> User | None:
        return db.scalar(select(User).where(User.email == email))


user = CRUDUser(User)
