import pytest


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_broker_without_failing(client, settings, monkeypatch):
    # Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    # The one retry happens at once: kombu's default waits two seconds first, longer than a
    # probe's usual timeout.
    waits = []
    monkeypatch.setattr("kombu.utils.functional.sleep", waits.append)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")
    assert sum(waits) == 0


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    from config import health

    monkeypatch.setattr(health, "database_status", lambda: "error: OperationalError")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


@pytest.mark.django_db
def test_healthz_reports_a_reachable_broker(client, settings):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("no CELERY_BROKER_URL: the PostgreSQL + Redis run of CI checks a real broker")
    assert client.get("/healthz").json()["broker"] == "ok"
