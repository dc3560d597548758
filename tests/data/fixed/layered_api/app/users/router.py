from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from app import crud
from app.api.deps import get_db
from app.users.schemas import UserCreate, UserRead
from app.users.service import EmailAlreadyRegistered, register_user

router = APIRouter()


@router.post("/", response_model=UserRead, status_code=201)
def create_user(user_in: UserCreate, db: Session = Depends(get_db)) -> UserRead:
    try:
        return register_user(db, user_in)
    except EmailAlreadyRegistered:
        raise HTTPException(status_code=409, detail="Email already registered")


@router.get("/", response_model=list[UserRead])
def list_users(db: Session = Depends(get_db)) -> list[UserRead]:
    return crud.user.list(db)


@router.get("/{user_id}", response_model=UserRead)
def read_user(user_id: int, db: Session = Depends(get_db)) -> UserRead:
    found = crud.user.get(db, user_id)
    if found is None:
        raise HTTPException(status_code=404, detail="User not found")
    return found
