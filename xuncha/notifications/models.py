from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app message. ``dedupe_key`` makes a notification idempotent: the
    same event can be announced twice (a retried task, two workers) and the
    recipient still gets it once, because the database refuses the second."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    level = models.CharField(
        _("级别"),
        max_length=10,
        choices=[
            ("info", _("提示")),
            ("green", _("绿色")),
            ("yellow", _("黄色")),
            ("red", _("红色")),
        ],
        default="info",
    )
    dedupe_key = models.CharField(_("去重键"), max_length=120)
    # What the recipient is asked to do, as "kind:pk:act" (e.g. "clue:12:receive").
    # When that act happens, whoever does it, services.resolve() marks every
    # notification awaiting it done: nobody is left with a stale "待审批".
    awaits = models.CharField(_("待办事项键"), max_length=120, blank=True, db_index=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_once_per_recipient"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.url or "/"
