import dataclasses

import pytest
from django.db.utils import OperationalError


@pytest.mark.django_db
def test_healthy_without_broker(client, settings):
    settings.DESK = dataclasses.replace(settings.DESK, broker_url=None)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_unreachable_broker_is_unhealthy(client, settings):
    settings.DESK = dataclasses.replace(settings.DESK, broker_url="redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


@pytest.mark.django_db
def test_reachable_broker_is_healthy(client, settings, redis_broker_url):
    settings.DESK = dataclasses.replace(settings.DESK, broker_url=redis_broker_url)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_database_failure_is_unhealthy(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr("readiness.views.connection.cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"
