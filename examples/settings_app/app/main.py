import os

from fastapi import FastAPI

from app.api import items, status
from app.core.config import settings

app = FastAPI(title=settings.app_name, debug=os.getenv("DEBUG", "false").lower() == "true")
app.include_router(status.router)
app.include_router(items.router)
