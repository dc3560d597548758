"""The app's settings, loaded once from the environment (and a .env file)."""

from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.logging import configure_logging


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    app_name: str = "Settings demo"
    database_url: str = "sqlite:///./app.db"
    page_size: int = 20
    region: str = "eu-west-1"
    debug: bool = False
    smtp_host: str
    app_version: str | None = None
    smtp_port: int = 25
    admin_email: str = "admin@example.com"


settings = Settings()
configure_logging()
