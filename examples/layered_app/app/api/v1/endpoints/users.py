from fastapi import APIRouter, BackgroundTasks

from app.crud.crud_user import create_user
from app.db.session import db
from app.schemas.user import UserCreate, UserRead
from app.services.email_service import log_signup, send_welcome_email

router = APIRouter()


@router.post("/", response_model=UserRead)
def register(user_in: UserCreate, background_tasks: BackgroundTasks) -> UserRead:
    user = create_user(db, user_in)
    background_tasks.add_task(send_welcome_email, user.email)
    background_tasks.add_task(log_signup, user.email)
    return user
