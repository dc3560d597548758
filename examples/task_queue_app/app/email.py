import smtplib
from email.message import EmailMessage

from app.dependencies import get_settings


def send_welcome_email(address: str, name: str) -> None:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = address
    message["Subject"] = "Welcome!"
    message.set_content(f"Hello {name}, welcome aboard.")
    with smtplib.SMTP(settings.smtp_host) as server:
        server.send_message(message)
