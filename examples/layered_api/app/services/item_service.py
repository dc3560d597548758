from sqlalchemy.orm import Session

from app.core.config import settings
from app.crud import crud_item
from app.crud.crud_user import user as users_crud
from app.models.item import Item
from app.schemas import item as item_schemas


class OwnerNotFound(Exception):
    pass


class TooManyItems(Exception):
    pass


def create_item_for_user(db: Session, owner_id: int, item_in: item_schemas.ItemCreate) -> Item:
    if users_crud.get(db, owner_id) is None:
        raise OwnerNotFound(owner_id)
    if crud_item.item.count_for_owner(db, owner_id) >= settings.MAX_ITEMS_PER_USER:
        raise TooManyItems(owner_id)
    cleaned = item_in.model_copy(update={"title": item_in.title.strip()})
    return crud_item.item.create(db, obj_in=cleaned, owner_id=owner_id)
