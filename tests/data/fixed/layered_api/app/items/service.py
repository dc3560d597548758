from sqlalchemy.orm import Session

from app.core.config import settings
from app.items import crud as crud_item
from app.users.crud import user as users_crud
from app.items.models import Item
from app.items import schemas as item_schemas


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
