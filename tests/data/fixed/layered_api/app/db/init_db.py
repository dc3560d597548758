from sqlalchemy.engine import Engine

from app.db import base


def init_db(engine: Engine) -> None:
    base.Base.metadata.create_all(bind=engine)
