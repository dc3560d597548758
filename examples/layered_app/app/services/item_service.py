from app.schemas.item import ItemCreate


def normalise_item(item_in: ItemCreate) -> ItemCreate:
    return ItemCreate(title=item_in.title.strip())
