from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.deps import get_session
from app.crud.crud_item import create_item
from app.db import SessionLocal
from app.models.item import Item
from app.schemas.item import ItemCreate, ItemRead
from app.services.item_service import normalise_item

router = APIRouter()


@router.post("/", response_model=ItemRead)
async def add_item(item_in: ItemCreate, session: AsyncSession = Depends(get_session)) -> ItemRead:
    return await create_item(session, normalise_item(item_in), owner_id=1)


@router.get("/count")
def count_items() -> int:
    db = SessionLocal()
    count = db.query(Item).count()
    db.close()
    return count
