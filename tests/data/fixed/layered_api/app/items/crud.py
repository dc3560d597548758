from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import models as item_models
from .schemas import ItemCreate
from ..core.crud_base import CRUDBase


class CRUDItem(CRUDBase[item_models.Item, ItemCreate]):
    def count_for_owner(self, db: Session, owner_id: int) -> int:
        return db.scalar(select(func.count()).where(item_models.Item.owner_id == owner_id)) or 0

    def list_for_owner(self, db: Session, owner_id: int) -> list[item_models.Item]:
        return list(db.scalars(select(item_models.Item).where(item_models.Item.owner_id == owner_id)))


item = CRUDItem(item_models.Item)
