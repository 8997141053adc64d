"""Liveness of what the app cannot work without (its database and its broker),
and the state of what it can do without for a while (the shared cache)."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from xuncha.celery import app as celery_app


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "down"; say which
        return f"error: {type(error).__name__}"
    return "ok"


def check_broker() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:
        return f"error: {type(error).__name__}"
    return "ok"


def check_cache() -> str:
    """The shared cache (Redis), which pages fail open without: reported, not required."""
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        return "ok"
    try:
        # Past the fail-open wrapper, to see the real state.
        client = cache._cache.get_client(write=True)
        client.ping()
    except Exception as error:
        return f"error: {type(error).__name__}"
    return "ok"


def health_report() -> tuple[bool, dict]:
    report = {"database": check_database(), "broker": check_broker()}
    healthy = all(value == "ok" for value in report.values())
    return healthy, {"status": "ok" if healthy else "error", **report, "cache": check_cache()}
