def test_status_defaults(make_client) -> None:
    client = make_client(REGION=None, APP_VERSION=None, DATABASE_URL=None)
    assert client.get("/status").json() == {"region": "eu-west-1", "version": None, "database": "sqlite"}


def test_status_reads_the_environment(make_client) -> None:
    client = make_client(REGION="us-east-1", APP_VERSION="1.2.3", DATABASE_URL="postgresql://db/app")
    assert client.get("/status").json() == {"region": "us-east-1", "version": "1.2.3", "database": "postgresql"}


def test_page_size(make_client) -> None:
    assert len(make_client(PAGE_SIZE=None).get("/items").json()["items"]) == 20
    body = make_client(PAGE_SIZE="5").get("/items", params={"page": 1}).json()
    assert body == {"items": [f"item-{number}" for number in range(5, 10)], "page_size": 5}


def test_notification_uses_the_mail_settings(make_client) -> None:
    client = make_client(SMTP_HOST="smtp.example.com", SMTP_PORT="2525", ADMIN_EMAIL=None)
    assert client.post("/items/new").json() == {"added": "new", "notified": "admin@example.com via smtp.example.com:2525"}


def test_debug_flag(make_client) -> None:
    assert make_client(DEBUG=None).app.debug is False
    assert make_client(DEBUG="TRUE").app.debug is True


def test_app_name(make_client) -> None:
    assert make_client(APP_NAME="Shop").get("/openapi.json").json()["info"]["title"] == "Shop"
