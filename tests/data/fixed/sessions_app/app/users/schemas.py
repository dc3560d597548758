from pydantic import BaseModel, ConfigDict


class UserIn(BaseModel):
    name: str


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
