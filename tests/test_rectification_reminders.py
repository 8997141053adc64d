"""Three-colour deadline reminders: who gets which colour, and each (item,
colour) exactly once under a second call, a retried task and two workers."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from rectification.models import Item, ItemReminder
from rectification.services.reminders import due_reminders, send_due_reminders
from rectification.tasks import send_deadline_reminders
from tests.factories import UserFactory, make_user
from tests.rect_fixtures import URLS, set_item, today, world
from xuncha.accounts.roles import Role
from xuncha.notifications.models import Notification

pytestmark = pytest.mark.urls(URLS)

GREEN_DAY, YELLOW_DAY, RED_DAY = 15, 5, -2  # with the defaults: green ≤ 20, yellow ≤ 10


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def coloured_world():
    """Three items of the unit, one of each colour, with the people to tell."""
    w = world(problems=3, other_problems=1)
    responsible = UserFactory(
        roles=[Role.UNIT_CONTACT], organization=w.organization, username="responsible"
    )
    supervisor = UserFactory(
        roles=[Role.UNIT_CONTACT], organization=w.organization, username="supervisor"
    )
    green, yellow, red = w.items
    for item, deadline in ((green, GREEN_DAY), (yellow, YELLOW_DAY), (red, RED_DAY)):
        set_item(
            item,
            deadline=days(deadline),
            responsible_user=responsible,
            supervisor_user=supervisor,
        )
    # Nothing due for the other unit's item (far off).
    set_item(w.other_item, deadline=days(90))
    w.extra.update(
        responsible=responsible, supervisor=supervisor, green=green, yellow=yellow, red=red
    )
    return w


@pytest.fixture
def w(db, settings):
    settings.NOTIFY_BY_EMAIL = False
    return coloured_world()


def told(item: Item, level: str) -> set:
    key = f"item-reminder:{item.pk}:{level}"
    return {n.recipient for n in Notification.objects.filter(dedupe_key=key)}


def test_each_colour_reaches_its_people(w):
    assert send_due_reminders() == 3
    responsible, supervisor = w.extra["responsible"], w.extra["supervisor"]
    assert told(w.extra["green"], "green") == {responsible}
    assert told(w.extra["yellow"], "yellow") == {responsible, supervisor}
    # Red adds the organization's Party secretary and the office (not leadership).
    assert told(w.extra["red"], "red") == {responsible, supervisor, w.leader, w.office_user}
    red_note = Notification.objects.filter(dedupe_key=f"item-reminder:{w.extra['red'].pk}:red")
    assert {n.level for n in red_note} == {"red"}
    assert all("已逾期" in n.title for n in red_note)
    assert all(n.url == w.extra["red"].get_absolute_url() for n in red_note)


def test_second_call_sends_nothing_more(w):
    assert send_due_reminders() == 3
    notifications = Notification.objects.count()
    assert send_due_reminders() == 0
    assert Notification.objects.count() == notifications
    assert ItemReminder.objects.count() == 3


def test_a_retried_task_sends_nothing_twice(w):
    """The task run again (a retry, a second beat): the function and Celery's apply."""
    assert send_deadline_reminders() == 3
    assert send_deadline_reminders.apply().get() == 0
    assert send_deadline_reminders() == 0
    assert ItemReminder.objects.count() == 3
    assert Notification.objects.filter(dedupe_key__startswith="item-reminder:").count() == 1 + 2 + 4


def test_each_level_once_as_the_deadline_nears(w):
    green = w.extra["green"]
    sent = []
    for offset in range(0, GREEN_DAY + 5):  # day by day, past the deadline
        send_due_reminders(today=today() + datetime.timedelta(days=offset))
        send_due_reminders(today=today() + datetime.timedelta(days=offset))  # a second beat
        sent = list(green.reminders.order_by("sent_at", "pk").values_list("level", flat=True))
    assert sent == ["green", "yellow", "red"]
    for level in ("green", "yellow", "red"):
        assert (
            len(told(green, level))
            == Notification.objects.filter(dedupe_key=f"item-reminder:{green.pk}:{level}").count()
        )


def test_no_reminders_for_items_not_on_the_ledger_or_ongoing(w):
    set_item(w.extra["green"], state=Item.State.ACCEPTED)
    set_item(w.extra["yellow"], kind=Item.Kind.ONGOING)
    set_item(w.extra["red"], state=Item.State.PLANNING)
    assert due_reminders(today()) == []
    assert send_due_reminders() == 0
    assert not Notification.objects.exists()


def test_handed_in_and_transferred_items_are_still_reminded(w):
    set_item(w.extra["green"], state=Item.State.HANDED_IN)
    set_item(w.extra["red"], state=Item.State.TRANSFERRED, transferred_to=w.department)
    assert send_due_reminders() == 3


def test_the_database_refuses_a_second_reminder_row(w):
    ItemReminder.objects.create(item=w.extra["red"], level="red")
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemReminder.objects.create(item=w.extra["red"], level="red")


def test_inactive_or_missing_people_are_skipped(w):
    w.extra["supervisor"].is_active = False
    w.extra["supervisor"].save(update_fields=["is_active"])
    set_item(w.extra["yellow"], responsible_user=None)
    send_due_reminders()
    assert told(w.extra["yellow"], "yellow") == set()
    # The row is claimed all the same: a reminder is about the item and its colour.
    assert ItemReminder.objects.filter(item=w.extra["yellow"], level="yellow").exists()


def test_colour_on_the_model_matches_the_filter(w):
    from rectification.selectors import colour_q

    for colour in ("green", "yellow", "red"):
        by_query = set(Item.objects.filter(colour_q(colour)).values_list("pk", flat=True))
        by_row = {item.pk for item in Item.objects.all() if item.colour() == colour}
        assert by_query == by_row == {w.extra[colour].pk}
    # An item still being planned has no colour, even past its deadline.
    planning = set_item(w.extra["red"], state=Item.State.PLANNING)
    assert planning.colour() == ""


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("two workers at once need a server database: PostgreSQL only")
    settings.NOTIFY_BY_EMAIL = False
    w = coloured_world()
    make_user(Role.OFFICE, office=w.office, username="office-2")  # one more red recipient
    barrier = threading.Barrier(2, timeout=10)
    counts: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            counts.append(send_deadline_reminders())
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(counts) == 3
    assert ItemReminder.objects.count() == 3
    keys = list(
        Notification.objects.filter(dedupe_key__startswith="item-reminder:").values_list(
            "recipient_id", "dedupe_key"
        )
    )
    assert len(keys) == len(set(keys)) == 1 + 2 + 5
