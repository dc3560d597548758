from fastapi import APIRouter, HTTPException, Response
from sqlalchemy import select

from app.database import db
from app.users import service
from app.users.models import User
from app.users.schemas import UserIn, UserOut

router = APIRouter(prefix="/users", tags=["users"])


@router.post("", response_model=UserOut, status_code=201)
def create_user(payload: UserIn, response: Response):
    user, created = service.register(payload.name)
    if not created:
        response.status_code = 200
    return user


@router.get("/{user_id}", response_model=UserOut)
def read_user(user_id: int):
    user = service.find_user(user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="user not found")
    return user


@router.get("", response_model=list[UserOut])
def list_users(limit: int = 100):
    return db.scalars(select(User).order_by(User.id).limit(limit)).all()
