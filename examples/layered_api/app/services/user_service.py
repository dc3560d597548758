from sqlalchemy.orm import Session

import app.models.user
from app import crud
from app.schemas.user import UserCreate


class EmailAlreadyRegistered(Exception):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def send_welcome_email(email: str) -> None:
    """Would talk to a mail server; the tests patch it by its dotted path."""


def register_user(db: Session, user_in: UserCreate) -> app.models.user.User:
    email = normalise_email(user_in.email)
    if crud.user.get_by_email(db, email) is not None:
        raise EmailAlreadyRegistered(email)
    created = crud.user.create(db, obj_in=user_in.model_copy(update={"email": email}))
    send_welcome_email(created.email)
    return created
