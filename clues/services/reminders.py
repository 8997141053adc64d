"""Daily reminders of disposition feedback due or overdue: once per clue per level, ever."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from clues.models import Clue, ClueReminder
from clues.selectors import clue_officers, department_users
from xuncha.notifications.services import notify

L = ClueReminder.Level


@dataclass(frozen=True)
class DueReminder:
    clue_id: int
    level: str


def reminder_level(clue_due: datetime.date, today: datetime.date) -> str | None:
    if clue_due < today - datetime.timedelta(days=settings.CLUE_ESCALATE_AFTER_DAYS):
        return L.ESCALATED
    if clue_due < today:
        return L.OVERDUE
    if clue_due <= today + datetime.timedelta(days=settings.CLUE_DUE_SOON_DAYS):
        return L.DUE_SOON
    return None


def due_reminders(today: datetime.date) -> list[DueReminder]:
    """The reminders not yet sent, found with one query over the open clues."""
    horizon = today + datetime.timedelta(days=settings.CLUE_DUE_SOON_DAYS)
    candidates = Clue.objects.filter(
        status=Clue.Status.RECEIVED, feedback_at__isnull=True, disposition_due__lte=horizon
    ).values_list("pk", "disposition_due")
    sent = set(
        ClueReminder.objects.filter(clue__status=Clue.Status.RECEIVED).values_list(
            "clue_id", "level"
        )
    )
    due = []
    for clue_id, deadline in candidates:
        level = reminder_level(deadline, today)
        if level and (clue_id, level) not in sent:
            due.append(DueReminder(clue_id, level))
    return due


TITLES = {
    L.DUE_SOON: "问题线索 {number} 的处置情况将于 {due} 到期，请按时反馈",
    L.OVERDUE: "问题线索 {number} 的处置情况已逾期（期限 {due}），请尽快反馈",
    L.ESCALATED: "问题线索 {number} 的处置情况严重逾期（期限 {due}）",
}


def send_reminder(reminder: DueReminder) -> bool:
    """Claim the (clue, level) row first; only the run that inserts it notifies.
    Returns whether this call sent it."""
    try:
        with transaction.atomic():
            ClueReminder.objects.create(clue_id=reminder.clue_id, level=reminder.level)
            clue = Clue.objects.select_related("department", "round__office").get(
                pk=reminder.clue_id
            )
            recipients = list(department_users(clue))
            if reminder.level == L.ESCALATED:
                recipients += clue_officers(clue)
            notify(
                recipients=recipients,
                title=TITLES[reminder.level].format(number=clue.number, due=clue.disposition_due),
                url=clue.get_absolute_url(),
                level="red" if reminder.level != L.DUE_SOON else "yellow",
                dedupe_key=f"clue-reminder:{clue.pk}:{reminder.level}",
            )
    except IntegrityError:
        return False  # another worker, a retry or a second beat got there first
    return True


def send_due_reminders(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return sum(send_reminder(reminder) for reminder in due_reminders(today))
