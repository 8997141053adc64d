import hashlib
import json

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xuncha.ops.models import ResumableJob


def params_digest(kind: str, params: dict) -> str:
    canonical = json.dumps({"kind": kind, "params": params}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class ReportJob(ResumableJob):
    """A document requested from a page and produced by a Celery task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs"
    )
    kind = models.CharField(_("文书"), max_length=60)
    params = models.JSONField(_("参数"), default=dict)
    params_hash = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    file = models.FileField(upload_to="reports/%Y/%m/", max_length=200, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("报表任务")
        verbose_name_plural = _("报表任务")
        constraints = [
            # The same request made twice while the first runs does not start a second job.
            models.UniqueConstraint(
                fields=["owner", "params_hash"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_job_per_request",
            ),
            models.CheckConstraint(
                name="job_progress_percent", condition=models.Q(progress__lte=100)
            ),
        ]
        indexes = [models.Index(fields=["status", "finished_at"], name="job_status_finished")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("reports:job_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
