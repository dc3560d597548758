from .crud_item import item
from .crud_user import user

__all__ = ["item", "user"]
