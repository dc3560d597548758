from ..items.crud import item
from ..users.crud import user

__all__ = ["item", "user"]
