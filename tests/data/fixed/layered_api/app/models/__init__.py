from ..items.models import Item
from ..users.models import User

__all__ = ["Item", "User"]
