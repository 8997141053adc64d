"""Sessions are written when they need to be, read from Redis where there is one,
and neither a Redis outage nor a sign-out during one weakens the idle expiry:
nobody is signed out by the outage, and nobody signed out comes back after it."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_user
from xuncha.accounts import sessions
from xuncha.accounts.roles import Role
from xuncha.ops import cache as fail_open

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")
LOGOUT = reverse("accounts:logout")
ENGINE = "xuncha.accounts.sessions"
LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "s"}}
DEAD_REDIS = {
    "default": {
        "BACKEND": "xuncha.ops.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture(autouse=True)
def outage_forgotten():
    fail_open._outage["down"] = False
    sessions._undeleted.clear()
    yield
    fail_open._outage["down"] = False
    sessions._undeleted.clear()


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def set_touched(client, seconds_ago: int) -> None:
    session = client.session
    session[sessions.TOUCH_KEY] = int(timezone.now().timestamp()) - seconds_ago
    session.save()


def session_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]


def test_settings_keep_the_thirty_minute_idle_expiry_without_a_write_per_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert "xuncha.accounts.sessions.IdleTouchMiddleware" in settings.MIDDLEWARE


def test_a_page_within_a_minute_of_the_last_touch_writes_no_session(client):
    client.force_login(make_user(Role.OFFICE))
    assert client.get(HOME).status_code == 200  # the first page touches it
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=20)
    )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    assert not [sql for sql in session_queries(queries) if not sql.startswith("SELECT")]
    remaining = expiry(client) - timezone.now()
    assert remaining <= timedelta(minutes=20)


def test_a_page_a_minute_after_the_last_touch_pushes_the_expiry_forward(client):
    client.force_login(make_user(Role.OFFICE))
    set_touched(client, seconds_ago=sessions.TOUCH_SECONDS)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )
    assert client.get(HOME).status_code == 200
    remaining = expiry(client) - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_an_idle_session_still_ends_at_its_expiry(client):
    client.force_login(make_user(Role.OFFICE))
    assert client.get(HOME).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_anonymous_visit_creates_no_session(client):
    assert client.get(reverse("accounts:login")).status_code == 200
    assert not Session.objects.exists()


# --- with Redis: reads from the cache, rows in the database ------------------------


def test_with_the_cache_a_signed_in_page_reads_no_session_row(client, settings):
    settings.CACHES = LOCAL
    settings.SESSION_ENGINE = ENGINE
    client.force_login(make_user(Role.OFFICE))
    assert client.get(HOME).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    assert session_queries(queries) == []
    # The row is there all the same: the cache is a copy.
    assert Session.objects.filter(session_key=client.session.session_key).exists()


def test_the_cached_copy_never_outlives_the_bounded_time(client, settings):
    settings.CACHES = LOCAL
    settings.SESSION_ENGINE = ENGINE
    client.force_login(make_user(Role.OFFICE))
    store = sessions.SessionStore(client.session.session_key)
    store.load()
    assert store._cache_seconds() == sessions.CACHE_SECONDS < settings.SESSION_COOKIE_AGE


def test_a_redis_outage_signs_nobody_out_and_the_session_still_moves_forward(client, settings):
    settings.SESSION_ENGINE = ENGINE
    settings.CACHES = LOCAL
    client.force_login(make_user(Role.OFFICE))
    assert client.get(HOME).status_code == 200
    settings.CACHES = DEAD_REDIS
    set_touched(client, seconds_ago=sessions.TOUCH_SECONDS)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )
    response = client.get(HOME)
    assert response.status_code == 200  # read from the row
    assert fail_open.cache_is_down()
    assert expiry(client) - timezone.now() > timedelta(minutes=29)


def test_a_sign_out_during_an_outage_is_not_undone_when_redis_comes_back(client, settings):
    settings.SESSION_ENGINE = ENGINE
    settings.CACHES = LOCAL
    client.force_login(make_user(Role.OFFICE))
    assert client.get(HOME).status_code == 200
    key = client.session.session_key
    # The copy Redis holds, which the outage will keep from being deleted.
    from django.core.cache import caches

    stale = caches["default"].get(sessions.SessionStore.cache_key_prefix + key)
    assert stale

    settings.CACHES = DEAD_REDIS
    client.post(LOGOUT)
    assert not Session.objects.filter(session_key=key).exists()
    assert sessions.undeleted_session_keys() == {sessions.SessionStore.cache_key_prefix + key}

    # Redis is back, still holding the old copy.
    settings.CACHES = LOCAL
    caches["default"].set(sessions.SessionStore.cache_key_prefix + key, stale, 600)
    fail_open._outage["down"] = False
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    response = client.get(HOME)
    assert response.status_code == 302  # signed out it stays
    assert caches["default"].get(sessions.SessionStore.cache_key_prefix + key) is None
    assert sessions.undeleted_session_keys() == set()
