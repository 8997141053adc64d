"""Reads of notifications: a person sees only their own."""

from django.core.cache import cache
from django.db.models import QuerySet

from xuncha.notifications.models import Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


# The navbar's unread count is on every page. It is kept per person and
# forgotten by the services whenever that person's notifications change
# (xuncha.notifications.services.forget_unread_counts), once committed;
# UNREAD_SECONDS bounds anything else (an edit in the admin site).
UNREAD_SECONDS = 60


def unread_count_key(user_id: int) -> str:
    return f"unread:{user_id}"


def unread_count(user) -> int:
    count = cache.get(unread_count_key(user.pk))
    if count is None:
        count = notification_list(user=user, unread_only=True).count()
        cache.set(unread_count_key(user.pk), count, UNREAD_SECONDS)
    return count
