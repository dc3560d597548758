from unittest import mock

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.users.crud import user as crud_user
from app.users.models import User


def test_create_and_read_user(client: TestClient, db: Session) -> None:
    with mock.patch("app.users.service.send_welcome_email") as send:
        response = client.post("/api/v1/users/", json={"email": " Ada@Example.com ", "full_name": "Ada"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "ada@example.com"
    send.assert_called_once_with("ada@example.com")
    stored = crud_user.get_by_email(db, "ada@example.com")
    assert isinstance(stored, User)
    assert client.get(f"/api/v1/users/{body['id']}").json()["full_name"] == "Ada"


def test_duplicate_email_is_refused(client: TestClient) -> None:
    assert client.post("/api/v1/users/", json={"email": "bob@example.com"}).status_code == 201
    assert client.post("/api/v1/users/", json={"email": "BOB@example.com"}).status_code == 409


def test_unknown_user_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/users/999").status_code == 404


def test_email_is_normalised_through_the_patched_helper(client: TestClient, monkeypatch) -> None:
    monkeypatch.setattr("app.users.service.normalise_email", lambda email: "fixed@example.com")
    response = client.post("/api/v1/users/", json={"email": "whatever"})
    assert response.json()["email"] == "fixed@example.com"
