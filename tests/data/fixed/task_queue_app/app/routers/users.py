from arq.connections import ArqRedis
from fastapi import APIRouter, Depends, HTTPException

from app.dependencies import get_arq_pool
from app.schemas import UserIn, UserOut

router = APIRouter(prefix="/users", tags=["users"])

USERS: dict[int, UserOut] = {}


@router.post("", status_code=201)
async def create_user(user: UserIn, arq_pool: ArqRedis = Depends(get_arq_pool)) -> UserOut:
    if any(existing.email == user.email for existing in USERS.values()):
        raise HTTPException(status_code=409, detail="email already registered")
    created = UserOut(id=len(USERS) + 1, email=user.email, name=user.name)
    USERS[created.id] = created
    await arq_pool.enqueue_job("send_welcome_email_task", user.email, user.name)
    return created


@router.get("/{user_id}")
async def read_user(user_id: int) -> UserOut:
    if user_id not in USERS:
        raise HTTPException(status_code=404, detail="no such user")
    return USERS[user_id]
