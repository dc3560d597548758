from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from ....crud import crud_item
from ...deps import get_db
from app.schemas.item import ItemCreate, ItemRead
from app.services import item_service

router = APIRouter()


@router.post("/users/{owner_id}", response_model=ItemRead, status_code=201)
def create_item(owner_id: int, item_in: ItemCreate, db: Session = Depends(get_db)) -> ItemRead:
    try:
        return item_service.create_item_for_user(db, owner_id, item_in)
    except item_service.OwnerNotFound:
        raise HTTPException(status_code=404, detail="Owner not found")
    except item_service.TooManyItems:
        raise HTTPException(status_code=409, detail="Too many items")


@router.get("/users/{owner_id}", response_model=list[ItemRead])
def list_items(owner_id: int, db: Session = Depends(get_db)) -> list[ItemRead]:
    return crud_item.item.list_for_owner(db, owner_id)
