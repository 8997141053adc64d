"""With Redis (the shared cache) down, pages still answer: the cache fails
open, the dashboard computes its figures without it, a save still saves, and
/healthz says the cache is down while the app stays up."""

import logging
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import make_user
from tests.reports_data import build_city
from xuncha.accounts.roles import Role
from xuncha.ops import cache as fail_open

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def outage_forgotten():
    """The fail-open cache remembers an outage per process: no test leaves one behind."""
    fail_open._outage["down"] = False
    yield
    fail_open._outage["down"] = False


DEAD_REDIS = {
    "default": {
        "BACKEND": "xuncha.ops.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def headline(response) -> str:
    match = re.search(r'data-testid="headline">([^<]*)<', response.content.decode())
    assert match, "the dashboard's headline is missing"
    return match.group(1)


@pytest.fixture
def leadership_client(client, office_user):
    build_city(office_user)
    leadership = make_user(Role.LEADERSHIP, office=office_user.office, username="lingdao")
    client.force_login(leadership)
    return client


def test_the_dashboard_answers_with_the_same_figures_when_the_cache_is_down(
    leadership_client, settings, caplog
):
    cache.clear()
    with_cache = leadership_client.get(reverse("dashboard:index"))
    assert with_cache.status_code == 200

    settings.CACHES = DEAD_REDIS
    with caplog.at_level(logging.ERROR, logger="xuncha.ops.cache"):
        first = leadership_client.get(reverse("dashboard:index"))
        second = leadership_client.get(reverse("dashboard:index"))

    assert first.status_code == second.status_code == 200
    assert headline(first) == headline(second) == headline(with_cache)
    assert "0家" not in headline(first)  # real figures, not an empty page
    outage_lines = [r for r in caplog.records if "cache unavailable" in r.getMessage()]
    assert len(outage_lines) == 1  # logged once, not once per request
    assert fail_open.cache_is_down()


def test_a_save_that_invalidates_the_dashboard_still_saves_when_the_cache_is_down(
    office_user, settings
):
    city = build_city(office_user)
    settings.CACHES = DEAD_REDIS
    problem = city.target.problems.first()
    problem.description = "改过的描述"
    problem.save()  # its signal bumps the dashboard's generation in the cache
    problem.refresh_from_db()
    assert problem.description == "改过的描述"


def test_healthz_names_the_cache_when_it_is_down_and_stays_up(client, settings):
    settings.CACHES = DEAD_REDIS
    response = client.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["cache"].startswith("error: ")
