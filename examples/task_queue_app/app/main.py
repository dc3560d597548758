from fastapi import FastAPI

from app.routers import users

app = FastAPI(title="task queue example")
app.include_router(users.router)
