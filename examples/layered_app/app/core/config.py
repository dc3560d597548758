import os

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=os.getenv("ENV_FILE", ".env"))

    PROJECT_NAME: str = os.getenv("PROJECT_NAME", "Layered App")
    DATABASE_URL: str = "postgresql+asyncpg://app:app@localhost/app"
    SMTP_HOST: str = "localhost"


settings = Settings()
