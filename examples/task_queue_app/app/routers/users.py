from fastapi import APIRouter, BackgroundTasks, HTTPException

from app.email import send_welcome_email
from app.schemas import UserIn, UserOut

router = APIRouter(prefix="/users", tags=["users"])

USERS: dict[int, UserOut] = {}


@router.post("", status_code=201)
async def create_user(user: UserIn, background_tasks: BackgroundTasks) -> UserOut:
    if any(existing.email == user.email for existing in USERS.values()):
        raise HTTPException(status_code=409, detail="email already registered")
    created = UserOut(id=len(USERS) + 1, email=user.email, name=user.name)
    USERS[created.id] = created
    background_tasks.add_task(send_welcome_email, user.email, user.name)
    return created


@router.get("/{user_id}")
async def read_user(user_id: int) -> UserOut:
    if user_id not in USERS:
        raise HTTPException(status_code=404, detail="no such user")
    return USERS[user_id]
