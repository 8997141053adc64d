"""码上巡察: what the public reports through a target's QR code during the stay.

A report arrives anonymously or under a name, with text and a few pictures or
PDFs; the team triages it into a problem (source 信访), a clue draft, a 转办
to a named department, or closes it as outside the remit; a repeat of an
earlier report is linked to it and not counted again. The person who reported
holds only a receipt code, stored here as its hash, with which the public
status page shows 已受理 / 办理中 / 已办结 and nothing else.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clues.models import Clue
from rounds.models import Problem, Target
from xuncha.orgs.models import Department


class Channel(models.Model):
    """A target's public reporting address: the token its poster's QR code carries."""

    target = models.OneToOneField(Target, on_delete=models.PROTECT, related_name="intake_channel")
    token = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The public's attachments stored through this channel, kept by the submit
    # service: the storage quotas read these few rows, never a sum over every file.
    bytes_stored = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("码上巡察二维码")
        verbose_name_plural = _("码上巡察二维码")

    def __str__(self) -> str:
        return f"码上巡察 {self.target_id}"

    def get_absolute_url(self) -> str:
        return reverse("intake:report_form", args=[self.token])


class PublicStatus(models.TextChoices):
    """All the reporter ever learns."""

    RECEIVED = "received", _("已受理")
    HANDLING = "handling", _("办理中")
    DONE = "done", _("已办结")


class ReportQuerySet(models.QuerySet):
    def counted(self):
        """Reports counted once: a repeat is linked to its first report, not counted again."""
        return self.exclude(state=Report.State.DUPLICATE)


class Report(models.Model):
    class State(models.TextChoices):
        NEW = "new", _("待研判")
        PROBLEM = "problem", _("已转为问题")
        CLUE = "clue", _("已转为线索")
        TRANSFERRED = "transferred", _("已转办")
        OUTSIDE = "outside", _("不属于受理范围")
        DUPLICATE = "duplicate", _("重复反映")

    # A repeat points at its first report; a chain longer than this is damaged.
    MAX_DUPLICATE_HOPS = 20

    target = models.ForeignKey(
        Target, verbose_name=_("巡察对象"), on_delete=models.PROTECT, related_name="intake_reports"
    )
    receipt_hash = models.CharField(max_length=64, unique=True, editable=False)
    text = models.TextField(_("反映内容"))
    reporter_name = models.CharField(_("反映人姓名"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    state = models.CharField(_("研判结果"), max_length=12, choices=State.choices, default=State.NEW)
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("转为问题"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intake_reports",
    )
    clue = models.ForeignKey(
        Clue,
        verbose_name=_("转为线索"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intake_reports",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("转办部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intake_reports",
    )
    receipt_number = models.CharField(_("回执编号"), max_length=50, blank=True)
    receipt_on = models.DateField(_("回执日期"), null=True, blank=True)
    outside_reason = models.TextField(_("不予受理理由"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("首次反映"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repeats",
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("研判人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    triaged_at = models.DateTimeField(_("研判时间"), null=True, blank=True)
    note = models.TextField(_("研判意见"), blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("群众反映")
        verbose_name_plural = _("群众反映")
        indexes = [
            models.Index(fields=["target", "state"], name="intake_target_state"),
            models.Index(fields=["target", "submitted_at"], name="intake_target_day"),
        ]
        constraints = [
            models.CheckConstraint(
                name="intake_duplicate_names_first",
                condition=~models.Q(state="duplicate") | models.Q(duplicate_of__isnull=False),
            ),
            models.CheckConstraint(
                name="intake_transfer_names_department",
                condition=~models.Q(state="transferred") | models.Q(department__isnull=False),
            ),
            models.CheckConstraint(
                name="intake_outside_gives_reason",
                condition=~models.Q(state="outside") | ~models.Q(outside_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"群众反映 {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("intake:report_detail", args=[self.pk])

    @property
    def anonymous(self) -> bool:
        return not (self.reporter_name or self.reporter_phone)

    def get_public_status_label(self) -> str:
        return str(PublicStatus(self.public_status()).label)

    def public_status(self) -> str:
        """已受理 until triaged; 办理中 while what it became is being handled; 已办结
        once that is finished (a problem fed back, a clue closed, a 转办 receipted,
        or closed as outside the remit). A repeat shows its first report's status."""
        S = self.State
        report = self
        # Walked, not recursed, and bounded: a chain that loops (it should not)
        # must not take the status page down.
        for _hop in range(self.MAX_DUPLICATE_HOPS):
            if report.state != S.DUPLICATE or report.duplicate_of is None:
                break
            report = report.duplicate_of
        else:
            return PublicStatus.HANDLING
        return report._own_public_status()

    def _own_public_status(self) -> str:
        S = self.State
        if self.state == S.NEW:
            return PublicStatus.RECEIVED
        done = {
            S.OUTSIDE: True,
            S.TRANSFERRED: self.receipt_on is not None,
            S.PROBLEM: self.problem is not None and self.problem.status == Problem.Status.FED_BACK,
            S.CLUE: self.clue is not None and self.clue.status == Clue.Status.CLOSED,
        }.get(self.state, False)
        return PublicStatus.DONE if done else PublicStatus.HANDLING


class ReportFile(models.Model):
    """A picture or PDF sent with a report, checked by xuncha.core.uploads."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("文件"), upload_to="intake/%Y/%m/", max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("反映附件")
        verbose_name_plural = _("反映附件")

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("intake:report_file", args=[self.report_id, self.pk])
