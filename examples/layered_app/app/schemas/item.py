from pydantic import BaseModel


class ItemCreate(BaseModel):
    title: str


class ItemRead(BaseModel):
    id: int
    title: str
