import os

from fastapi import APIRouter

router = APIRouter()


@router.get("/status")
def read_status() -> dict[str, str | None]:
    return {
        "region": os.environ.get("REGION", "eu-west-1"),
        "version": os.getenv("APP_VERSION"),
        "database": os.getenv("DATABASE_URL", "sqlite:///./app.db").split(":", 1)[0],
    }
