"""Sending in-app notifications (and e-mail where configured), once each."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xuncha.notifications.models import Notification


def notify(
    *,
    recipients: Iterable,
    title: str,
    body: str = "",
    url: str = "",
    level: str = "info",
    dedupe_key: str,
) -> list[Notification]:
    """Create one notification per recipient who has not had this key yet.

    Returns only the notifications created now; the unique constraint is what
    makes this safe under two workers at once, not the check."""
    recipients = [r for r in recipients if r is not None and r.is_active]
    rows = [
        Notification(
            recipient=recipient,
            title=title,
            body=body,
            url=url,
            level=level,
            dedupe_key=dedupe_key,
        )
        for recipient in {r.pk: r for r in recipients}.values()
    ]
    if not rows:
        return []
    existing = set(
        Notification.objects.filter(
            recipient__in=[r.recipient for r in rows], dedupe_key=dedupe_key
        ).values_list("recipient_id", flat=True)
    )
    fresh = [row for row in rows if row.recipient_id not in existing]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    created = list(
        Notification.objects.filter(
            recipient__in=[row.recipient for row in fresh],
            dedupe_key=dedupe_key,
            emailed_at__isnull=True,
        )
    )
    if settings.NOTIFY_BY_EMAIL and created:
        transaction.on_commit(lambda: _queue_email([n.pk for n in created]))
    return created


def _queue_email(notification_ids: list[int]) -> None:
    from xuncha.notifications.tasks import email_notifications

    email_notifications.delay(notification_ids)


def mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
