from fastapi import APIRouter, Depends, HTTPException, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import get_db
from app.users import service
from app.users.models import User
from app.users.schemas import UserIn, UserOut

router = APIRouter(prefix="/users", tags=["users"])


@router.post("", response_model=UserOut, status_code=201)
def create_user(payload: UserIn, response: Response, db: Session = Depends(get_db)):
    user, created = service.register(db, payload.name)
    if not created:
        response.status_code = 200
    return user


@router.get("/{user_id}", response_model=UserOut)
def read_user(user_id: int, db: Session = Depends(get_db)):
    user = service.find_user(db, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="user not found")
    return user


@router.get("", response_model=list[UserOut])
def list_users(limit: int = 100, db: Session = Depends(get_db)):
    return db.scalars(select(User).order_by(User.id).limit(limit)).all()
