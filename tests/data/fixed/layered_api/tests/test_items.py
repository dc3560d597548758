import importlib

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import app.items.models as item_models
from app.models import User


def _user(client: TestClient, email: str = "owner@example.com") -> int:
    return client.post("/api/v1/users/", json={"email": email}).json()["id"]


def test_items_belong_to_their_owner(client: TestClient, db: Session) -> None:
    owner = _user(client)
    response = client.post(f"/api/v1/items/users/{owner}", json={"title": "  Lamp  "})
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "Lamp"
    stored = db.get(item_models.Item, response.json()["id"])
    assert isinstance(stored.owner, User)
    listed = client.get(f"/api/v1/users/{owner}").json()["items"]
    assert [item["title"] for item in listed] == ["Lamp"]
    assert [item["title"] for item in client.get(f"/api/v1/items/users/{owner}").json()] == ["Lamp"]


def test_item_for_unknown_owner_is_404(client: TestClient) -> None:
    assert client.post("/api/v1/items/users/42", json={"title": "Ghost"}).status_code == 404


def test_items_per_user_are_limited(client: TestClient, monkeypatch) -> None:
    service = importlib.import_module("app.items.service")
    monkeypatch.setattr(service.settings, "MAX_ITEMS_PER_USER", 1)
    owner = _user(client)
    assert client.post(f"/api/v1/items/users/{owner}", json={"title": "One"}).status_code == 201
    assert client.post(f"/api/v1/items/users/{owner}", json={"title": "Two"}).status_code == 409


def test_health(client: TestClient) -> None:
    assert client.get("/api/v1/health").json() == {"status": "ok"}
