import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xuncha.ops.models import ResumableJob


def upload_path(job: "ImportJob", filename: str) -> str:
    # Never the user's file name: a random one, under MEDIA_ROOT/imports/.
    return f"imports/{uuid.uuid4().hex}.xlsx"


class ImportJob(ResumableJob):
    """One uploaded spreadsheet: checked first (dry run), written only when
    its owner confirms, all rows or none."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("校验中")
        INVALID = "invalid", _("有错误，未导入")
        VALID = "valid", _("校验通过，待确认")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    kind = models.CharField(_("导入内容"), max_length=30)
    file = models.FileField(upload_to=upload_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    # The content's digest: the same file imported twice is refused at upload.
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.VALIDATING
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    # Every bad row: [sheet row number, column, reason].
    problems = models.JSONField(_("错误"), default=list, blank=True)
    totals = models.JSONField(_("统计"), default=dict, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    validated_at = models.DateTimeField(_("校验时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        constraints = [
            models.CheckConstraint(
                name="import_progress_percent", condition=models.Q(progress__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("imports:job_detail", args=[self.pk])

    @property
    def kind_label(self) -> str:
        from xuncha.imports.kinds import get_kind

        try:
            return get_kind(self.kind).label
        except LookupError:
            return self.kind

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.IMPORTING)
