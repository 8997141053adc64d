"""Sending in-app notifications (and e-mail where configured), once each."""

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xuncha.core.todo import todo_changed
from xuncha.notifications.models import Notification
from xuncha.notifications.selectors import unread_count_key


def notify(
    *,
    recipients: Iterable,
    title: str,
    body: str = "",
    url: str = "",
    level: str = "info",
    dedupe_key: str,
    awaits: str = "",
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
            awaits=awaits,
        )
        for recipient in {r.pk: r for r in recipients}.values()
    ]
    if not rows:
        return []
    already = Q(dedupe_key=dedupe_key)
    if awaits:
        # Asked already and not yet done: one reminder of the same act is enough.
        already |= Q(awaits=awaits, resolved_at__isnull=True)
    existing = set(
        Notification.objects.filter(already, recipient__in=[r.recipient for r in rows]).values_list(
            "recipient_id", flat=True
        )
    )
    fresh = [row for row in rows if row.recipient_id not in existing]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    forget_unread_counts(row.recipient_id for row in fresh)
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
    marked = qs.update(read_at=timezone.now())
    forget_unread_counts([user.pk])
    return marked


def hand_off(
    *,
    recipients,
    title: str,
    url: str,
    awaits: str,
    level: str = "info",
    body: str = "",
    resolves: Iterable[str] = (),
) -> None:
    """Tell the person who must act next, once the hand-off is committed.

    Called from inside a service's transaction: a rolled-back action tells
    nobody. ``awaits`` names the act asked for, so the notification resolves
    itself when it happens; ``resolves`` are the acts this hand-off completes.
    The dedupe key carries the time, so a plan sent back and signed again is
    announced again."""
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")

    def send() -> None:
        resolve_now(awaits=list(resolves))
        todo_changed()
        notify(
            recipients=list(recipients),
            title=title,
            body=body,
            url=url,
            level=level,
            dedupe_key=f"{awaits}:{stamp}"[:120],
            awaits=awaits,
        )

    transaction.on_commit(send)


def resolve(*, awaits: Iterable[str]) -> None:
    """The awaited acts happened: mark their notifications done, on commit."""
    keys = list(awaits)
    transaction.on_commit(lambda: resolve_now(awaits=keys))


def resolve_now(*, awaits: Iterable[str]) -> int:
    keys = list(awaits)
    if not keys:
        return 0
    now = timezone.now()
    pending = Notification.objects.filter(awaits__in=keys, resolved_at__isnull=True)
    unread = pending.filter(read_at__isnull=True)
    forget_unread_counts(set(unread.values_list("recipient_id", flat=True)))
    unread.update(read_at=now)
    resolved = pending.update(resolved_at=now)
    todo_changed()
    return resolved


def forget_unread_counts(user_ids: Iterable[int]) -> None:
    """The navbar counts of these people are read again: forgotten now, and
    again once the change is committed (a page read in between could keep
    the old count)."""
    keys = [unread_count_key(pk) for pk in set(user_ids)]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))
