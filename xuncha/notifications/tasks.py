from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from xuncha.notifications.models import Notification


@shared_task(name="xuncha.notifications.tasks.email_notifications")
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail each notification once: claim it first, then send."""
    sent = 0
    for notification in Notification.objects.filter(pk__in=notification_ids).select_related(
        "recipient"
    ):
        if not notification.recipient.email:
            continue
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if claimed:
            send_mail(
                notification.title,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                [notification.recipient.email],
            )
            sent += 1
    return sent
