"""/healthz: what a load balancer or monitor asks; open to anyone, says no secrets."""

import pytest
from django.urls import reverse

from xuncha.core import health

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_ok(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_naming_the_broker_when_it_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "check_broker", lambda: "error: OperationalError")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "broker": "error: OperationalError",
        "cache": "ok",
    }


def test_healthz_answers_503_naming_the_database_when_it_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "check_database", lambda: "error: OperationalError")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"
    assert response.json()["broker"] == "ok"


def test_unreachable_redis_broker_is_reported_by_exception_name(monkeypatch):
    # Nothing listens on port 1: the real check must fail fast and say so.
    # Celery reads CELERY_BROKER_URL from the environment before its config (CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(
        health.celery_app.conf, "broker_url", "redis://127.0.0.1:1/0", raising=False
    )
    result = health.check_broker()
    assert result.startswith("error: ")
    assert "127.0.0.1" not in result  # the name of the failure, not connection details


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405
