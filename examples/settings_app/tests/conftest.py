import sys
from typing import Callable

import pytest
from fastapi.testclient import TestClient

BASE_ENVIRONMENT = {"SMTP_HOST": "mail.test"}


@pytest.fixture
def make_client(monkeypatch: pytest.MonkeyPatch) -> Callable[..., TestClient]:
    """A client for the app built under the given environment variables (on top of
    BASE_ENVIRONMENT; a None value unsets a variable). The app is imported afresh, so
    configuration read at import time or at request time both see the environment."""

    def make(**environment: str | None) -> TestClient:
        for name, value in {**BASE_ENVIRONMENT, **environment}.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        for module in [name for name in sys.modules if name == "app" or name.startswith("app.")]:
            monkeypatch.delitem(sys.modules, module)
        from app.main import app

        return TestClient(app)

    return make
