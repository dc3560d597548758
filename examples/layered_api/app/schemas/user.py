from pydantic import BaseModel, ConfigDict

from app.schemas.item import ItemRead


class UserCreate(BaseModel):
    email: str
    full_name: str | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str | None = None
    items: list[ItemRead] = []
