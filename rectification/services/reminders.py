"""Three-colour deadline reminders: once per item per colour, ever.

green → the responsible person; yellow → adds the supervising leader;
red (overdue) → adds the organization's Party secretary and the office.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from rectification.models import Item, ItemReminder
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.notifications.services import notify

C = Item.Colour


@dataclass(frozen=True)
class DueReminder:
    item_id: int
    level: str


def due_reminders(today: datetime.date) -> list[DueReminder]:
    """One query: open items inside the green window whose current colour has
    not been sent yet."""
    already_sent = ItemReminder.objects.filter(item=OuterRef("pk"), level=OuterRef("colour"))
    rows = (
        Item.objects.with_colour(today).filter(~Q(Exists(already_sent))).values_list("pk", "colour")
    )
    return [DueReminder(pk, level) for pk, level in rows]


def recipients_for(item: Item, level: str) -> list[User]:
    people = [item.responsible_user]
    if level in (C.YELLOW, C.RED):
        people.append(item.supervisor_user)
    if level == C.RED:
        people.append(item.organization.leader_user)
        people += list(
            User.objects.filter(groups__name=Role.OFFICE.value, office=item.office, is_active=True)
        )
    return [person for person in people if person is not None]


TITLES = {
    C.GREEN: "整改事项将于 {deadline} 到期：{org}",
    C.YELLOW: "整改事项临近期限（{deadline}）：{org}",
    C.RED: "整改事项已逾期（期限 {deadline}）：{org}",
}


def send_reminder(reminder: DueReminder) -> bool:
    """Claim (item, level) first; only the run that inserts the row notifies."""
    try:
        with transaction.atomic():
            ItemReminder.objects.create(item_id=reminder.item_id, level=reminder.level)
            item = Item.objects.select_related(
                "organization__leader_user",
                "responsible_user",
                "supervisor_user",
                "office",
                "problem",
            ).get(pk=reminder.item_id)
            notify(
                recipients=recipients_for(item, reminder.level),
                title=TITLES[reminder.level].format(
                    deadline=item.deadline, org=item.organization.name
                ),
                body=item.problem.description[:200],
                url=item.get_absolute_url(),
                level=reminder.level,
                dedupe_key=f"item-reminder:{item.pk}:{reminder.level}",
            )
    except IntegrityError:
        return False  # a second worker, a retry or a second beat got there first
    return True


def send_due_reminders(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return sum(send_reminder(reminder) for reminder in due_reminders(today))
