from app.core.config import settings


def notify(message: str) -> str:
    """Pretend to send a mail; returns the address it would go to."""
    host = settings.smtp_host
    port = settings.smtp_port
    return f"{settings.admin_email} via {host}:{port}"
