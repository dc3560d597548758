from fastapi import APIRouter

from app.core.config import settings

router = APIRouter()


@router.get("/status")
def read_status() -> dict[str, str | None]:
    return {
        "region": settings.region,
        "version": settings.app_version,
        "database": settings.database_url.split(":", 1)[0],
    }
