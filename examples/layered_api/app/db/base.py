"""Every model, imported so that ``Base.metadata`` knows all tables (as Alembic expects)."""

from app.db.base_class import Base  # noqa: F401
from app.models.item import Item  # noqa: F401
from app.models.user import User  # noqa: F401
