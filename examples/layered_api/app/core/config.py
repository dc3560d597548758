from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LAYERED_")

    PROJECT_NAME: str = "Layered API"
    API_V1_STR: str = "/api/v1"
    DATABASE_URL: str = "sqlite:///./layered.db"
    MAX_ITEMS_PER_USER: int = 3


settings = Settings()
