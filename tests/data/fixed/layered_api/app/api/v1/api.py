from fastapi import APIRouter

from app.api.v1.endpoints import health
from app.items import router as items
from app.users import router as users

api_router = APIRouter()
api_router.include_router(health.router, tags=["health"])
api_router.include_router(users.router, prefix="/users", tags=["users"])
api_router.include_router(items.router, prefix="/items", tags=["items"])
