from fastapi.testclient import TestClient

from app.main import app

client = TestClient(app)


def test_create_then_read_a_user() -> None:
    created = client.post("/users", json={"name": "ada"})
    assert created.status_code == 201
    user = created.json()
    assert user["name"] == "ada"
    assert client.get(f"/users/{user['id']}").json() == user


def test_registering_twice_returns_the_same_user() -> None:
    first = client.post("/users", json={"name": "grace"})
    again = client.post("/users", json={"name": "grace"})
    assert again.status_code == 200
    assert again.json() == first.json()


def test_unknown_user_is_404() -> None:
    assert client.get("/users/999999").status_code == 404


def test_list_and_stats() -> None:
    client.post("/users", json={"name": "linus"})
    names = [user["name"] for user in client.get("/users").json()]
    assert "linus" in names
    assert client.get("/users", params={"limit": 1}).json()[0]["name"] == names[0]
    stats = client.get("/stats").json()
    assert stats["users"] == len(names)
    assert stats["first"] == names[:3]
