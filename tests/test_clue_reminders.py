"""Disposition reminders: once per clue per level, ever, whoever runs the scan."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clues.models import Clue, ClueReminder
from clues.services.reminders import send_due_reminders
from clues.tasks import send_clue_reminders
from tests.test_clues_pages import S, advance, build_world, draft
from xuncha.notifications.models import Notification


def overdue_clue(world, *, days_late: int) -> Clue:
    clue = advance(world, draft(world), S.RECEIVED)
    due = timezone.localdate() - datetime.timedelta(days=days_late)
    Clue.objects.filter(pk=clue.pk).update(disposition_due=due)
    return clue


def reminder_keys() -> list[tuple[int, str]]:
    return list(
        Notification.objects.filter(dedupe_key__startswith="clue-reminder:").values_list(
            "recipient_id", "dedupe_key"
        )
    )


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.NOTIFY_BY_EMAIL = False
    return build_world()


@pytest.mark.django_db
def test_a_second_scan_and_a_retried_task_send_nothing_more(world):
    clue = overdue_clue(world, days_late=2)
    assert send_due_reminders() == 1
    assert send_due_reminders() == 0
    assert send_clue_reminders.run() == 0  # the beat's task, retried
    assert list(ClueReminder.objects.values_list("clue_id", "level")) == [(clue.pk, "overdue")]
    keys = reminder_keys()
    assert keys and len(keys) == len(set(keys))
    # The department is told; the office only when it becomes seriously overdue.
    assert {r for r, _ in keys} == {world.dept_user.pk}


@pytest.mark.django_db
def test_each_level_is_sent_once_as_the_clue_gets_later(world):
    clue = overdue_clue(world, days_late=-2)  # due in two days
    send_due_reminders()
    Clue.objects.filter(pk=clue.pk).update(
        disposition_due=timezone.localdate() - datetime.timedelta(days=20)
    )
    send_due_reminders()
    send_due_reminders()
    levels = sorted(ClueReminder.objects.filter(clue=clue).values_list("level", flat=True))
    assert levels == ["due_soon", "escalated"]
    escalated = {r for r, key in reminder_keys() if key.endswith(":escalated")}
    assert world.officer.pk in escalated and world.dept_user.pk in escalated


@pytest.mark.django_db
def test_the_database_refuses_a_second_reminder_row(world):
    clue = overdue_clue(world, days_late=2)
    ClueReminder.objects.create(clue=clue, level="overdue")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClueReminder.objects.create(clue=clue, level="overdue")


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("two workers at once need a server database: PostgreSQL only (CI runs it)")
    settings.MEDIA_ROOT = tmp_path
    settings.NOTIFY_BY_EMAIL = False
    world = build_world()
    for days_late in (2, 3):
        overdue_clue(world, days_late=days_late)
    barrier = threading.Barrier(2, timeout=10)
    counts: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            counts.append(send_due_reminders())
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
    assert sum(counts) == 2
    assert ClueReminder.objects.count() == 2
    keys = reminder_keys()
    assert len(keys) == len(set(keys)) == 2
