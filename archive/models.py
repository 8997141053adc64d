"""巡察档案: one package per round, built at 归档 by the worker: every
document of the round as PDF and the uploaded evidence, with its index
(卷内目录) split into 文书档案 (kept by the office) and 业务档案 (kept by
the team), and a SHA-256 manifest of every file in it."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rounds.models import Round
from xuncha.ops.models import ResumableJob


class RoundArchive(ResumableJob):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    round = models.ForeignKey(
        Round, verbose_name=_("巡察轮次"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    file = models.FileField(upload_to="archives/%Y/", max_length=200, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # The index as built: the entries of both parts, each with its checksum.
    manifest = models.JSONField(_("卷内目录"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("归档包")
        verbose_name_plural = _("归档包")
        constraints = [
            # One package at a time per round: asking again while it builds is the same job.
            models.UniqueConstraint(
                fields=["round"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_archive_per_round",
            ),
            models.CheckConstraint(
                name="archive_progress_percent", condition=models.Q(progress__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} 归档包 #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("archive:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
