import os


def notify(message: str) -> str:
    """Pretend to send a mail; returns the address it would go to."""
    host = os.environ["SMTP_HOST"]
    port = int(os.environ.get("SMTP_PORT", "25"))
    return f"{os.getenv('ADMIN_EMAIL', 'admin@example.com')} via {host}:{port}"
