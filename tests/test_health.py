"""/healthz: what a load balancer or monitor asks; open to anyone, says no secrets."""

import pytest
from celery import Celery
from django.urls import reverse

from xuncha.celery import app as project_celery_app
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


def _check_unreachable_broker(monkeypatch) -> str:
    # A throwaway Celery app carries the bad broker, so the project's app keeps
    # its own configuration, connection pools and producer pool for later tests
    # (pointing the real app at port 1 broke /healthz and the worker tests after it).
    throwaway = Celery("xuncha-health-test", set_as_current=False)
    throwaway.conf.broker_url = "redis://127.0.0.1:1/0"
    with monkeypatch.context() as patch:
        # Celery prefers CELERY_BROKER_URL from the environment (CI sets it) to its conf.
        patch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
        patch.setattr(health, "celery_app", throwaway)
        try:
            return health.check_broker()
        finally:
            throwaway.close()


def test_unreachable_redis_broker_is_reported_by_exception_name(monkeypatch):
    # Nothing listens on port 1: the real check must fail fast and say so.
    result = _check_unreachable_broker(monkeypatch)
    assert result.startswith("error: ")
    assert "127.0.0.1" not in result  # the name of the failure, not connection details


def test_the_unreachable_broker_check_leaves_the_project_app_working(monkeypatch):
    broker_before = project_celery_app.conf.broker_url
    _check_unreachable_broker(monkeypatch)
    assert health.celery_app is project_celery_app
    assert project_celery_app.conf.broker_url == broker_before
    assert health.check_broker() == "ok"


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405
