from typing import Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.base_class import Base

ModelType = TypeVar("ModelType", bound=Base)
CreateSchemaType = TypeVar("CreateSchemaType", bound=BaseModel)


class CRUDBase(Generic[ModelType, CreateSchemaType]):
    def __init__(self, model: type[ModelType]) -> None:
        self.model = model

    def get(self, db: Session, id: int) -> ModelType | None:
        return db.get(self.model, id)

    def list(self, db: Session, *, skip: int = 0, limit: int = 100) -> list[ModelType]:
        return list(db.scalars(select(self.model).order_by(self.model.id).offset(skip).limit(limit)))

    def create(self, db: Session, *, obj_in: CreateSchemaType, **extra: object) -> ModelType:
        obj = self.model(**obj_in.model_dump(), **extra)
        db.add(obj)
        db.commit()
        db.refresh(obj)
        return obj
