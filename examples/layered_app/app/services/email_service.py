import logging
import os
import smtplib
from email.message import EmailMessage

logger = logging.getLogger(__name__)

SMTP_PASSWORD = os.environ["SMTP_PASSWORD"]


def send_welcome_email(address: str) -> None:
    message = EmailMessage()
    message["To"] = address
    message["Subject"] = "Welcome!"
    with smtplib.SMTP(os.getenv("SMTP_HOST", "localhost")) as smtp:
        smtp.login("app", SMTP_PASSWORD)
        smtp.send_message(message)


def log_signup(address: str) -> None:
    logger.info("new user %s", address)
