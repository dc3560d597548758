"""Logging set up before the settings load (the settings module imports this one)."""

import logging
import os

LOG_LEVEL = os.getenv("LOG_LEVEL", "INFO")


def configure_logging() -> None:
    logging.basicConfig(level=LOG_LEVEL)
