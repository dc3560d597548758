from fastapi import APIRouter

from ..core.config import settings
from ..services.mailer import notify

router = APIRouter(prefix="/items")

ITEMS = [f"item-{number}" for number in range(100)]


@router.get("")
def list_items(page: int = 0) -> dict[str, object]:
    page_size = settings.page_size
    start = page * page_size
    return {"items": ITEMS[start : start + page_size], "page_size": page_size}


@router.post("/{name}")
def add_item(name: str) -> dict[str, str]:
    ITEMS.append(name)
    return {"added": name, "notified": notify(f"new item {name}")}
