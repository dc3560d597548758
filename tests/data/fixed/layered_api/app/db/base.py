"""Every model, imported so that ``Base.metadata`` knows all tables (as Alembic expects)."""

from app.db.base_class import Base  # noqa: F401
from app.items.models import Item  # noqa: F401
from app.users.models import User  # noqa: F401
