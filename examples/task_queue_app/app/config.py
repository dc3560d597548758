from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    smtp_host: str = "localhost"
    mail_sender: str = "hello@example.com"
