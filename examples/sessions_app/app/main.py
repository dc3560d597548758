from fastapi import FastAPI

from app import stats
from app.database import Base, engine
from app.users.router import router as users_router

Base.metadata.create_all(bind=engine)

app = FastAPI(title="sessions app")
app.include_router(users_router)
app.include_router(stats.router)
