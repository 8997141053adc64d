"""Long lists count at most a thousand rows: exact below, "1,000+" above, and
the next page is there when one more row came back; the pages still walk the
whole list in order."""

import pytest
from django.urls import reverse

from tests import rect_fixtures
from xuncha.accounts.models import User
from xuncha.core.pagination import BoundedPaginator

pytestmark = pytest.mark.django_db


class SmallLimit(BoundedPaginator):
    count_limit = 5


@pytest.fixture
def users():
    for n in range(12):
        User.objects.create(username=f"p{n:02d}")
    return User.objects.filter(username__startswith="p").order_by("username")


def test_below_the_limit_the_count_and_pages_are_exact(users):
    paginator = SmallLimit(users.filter(username__lt="p05"), 2)
    assert paginator.count == 5 and not paginator.count_is_bounded
    assert paginator.num_pages == 3
    assert not paginator.get_page(3).has_next()


def test_above_the_limit_the_count_stops_and_the_pages_go_on(users):
    paginator = SmallLimit(users, 5)
    assert paginator.count == 6 and paginator.count_is_bounded
    names = []
    number = 1
    while True:
        page = paginator.get_page(number)
        names += [u.username for u in page]
        if not page.has_next():
            break
        number += 1
    assert names == [f"p{n:02d}" for n in range(12)]
    assert number == 3
    assert paginator.get_page(2).has_previous()


def test_a_page_past_the_end_is_empty_not_an_error(users):
    page = SmallLimit(users, 5).get_page(9)
    assert list(page) == [] and not page.has_next() and page.has_previous()


def test_the_list_pages_say_more_than_the_limit(client, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = rect_fixtures.world(problems=3, other_problems=2)
    monkeypatch.setattr(BoundedPaginator, "count_limit", 2)
    client.force_login(world.office_user)
    problems = client.get(reverse("rounds:problem_list"), {"per_page": 20}).content.decode()
    assert "共 2+ 个" in problems and "第 1 页" not in problems  # one page: no pager
    items = client.get(reverse("rectification:item_list")).content.decode()
    assert "共 2+ 项" in items


# --- the overdue list: live rows, a summary kept for a minute ----------------------


def test_the_overdue_summary_is_kept_a_minute_while_the_rows_stay_live(client, settings, tmp_path):
    import datetime

    from django.core.cache import cache

    from tests.rect_fixtures import set_item, today

    settings.MEDIA_ROOT = tmp_path
    world = rect_fixtures.world(problems=3, other_problems=1)
    first, second = world.items[0], world.items[1]
    set_item(first, deadline=today() - datetime.timedelta(days=3))
    client.force_login(world.office_user)
    overdue = reverse("rectification:overdue_list")

    def summary(response):
        return {r["organization__name"]: r["count"] for r in response.context["by_organization"]}

    response = client.get(overdue)
    assert summary(response) == {world.organization.name: 1}
    set_item(second, deadline=today() - datetime.timedelta(days=1))
    response = client.get(overdue)
    assert {item.pk for item in response.context["page"]} == {first.pk, second.pk}  # live
    assert summary(response) == {world.organization.name: 1}  # the kept summary
    cache.clear()  # a minute later
    assert summary(client.get(overdue)) == {world.organization.name: 2}
    # One round's overdue items (?round=): the bench's slice, never beyond the user's reach.
    round_only = client.get(overdue, {"round": world.round.pk})
    assert {item.pk for item in round_only.context["page"]} == {first.pk, second.pk}
