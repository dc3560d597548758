from .item import Item
from .user import User

__all__ = ["Item", "User"]
