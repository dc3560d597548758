from email.message import EmailMessage

from fastapi.testclient import TestClient

from tests.conftest import FakeQueue


def test_sign_up_sends_the_welcome_email(client: TestClient, outbox: list[EmailMessage], queue: FakeQueue) -> None:
    response = client.post("/users", json={"email": "ada@example.com", "name": "Ada"})
    assert response.status_code == 201
    assert response.json() == {"id": 1, "email": "ada@example.com", "name": "Ada"}
    # With a task queue, the e-mail is sent when the worker runs the job.
    queue.run_jobs()
    assert [(m["To"], m["Subject"]) for m in outbox] == [("ada@example.com", "Welcome!")]
    assert "Hello Ada" in outbox[0].get_content()


def test_duplicate_email_is_refused_without_email(client: TestClient, outbox: list[EmailMessage], queue: FakeQueue) -> None:
    assert client.post("/users", json={"email": "bob@example.com", "name": "Bob"}).status_code == 201
    queue.run_jobs()
    outbox.clear()
    response = client.post("/users", json={"email": "bob@example.com", "name": "Bobby"})
    assert response.status_code == 409
    queue.run_jobs()
    assert outbox == []


def test_read_user(client: TestClient) -> None:
    client.post("/users", json={"email": "cy@example.com", "name": "Cy"})
    assert client.get("/users/1").json()["name"] == "Cy"
    assert client.get("/users/2").status_code == 404
