from sqlalchemy.ext.asyncio import AsyncSession

from app.models.item import Item
from app.schemas.item import ItemCreate


async def create_item(session: AsyncSession, item_in: ItemCreate, owner_id: int) -> Item:
    item = Item(title=item_in.title, owner_id=owner_id)
    session.add(item)
    await session.commit()
    return item
