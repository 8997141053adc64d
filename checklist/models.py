"""The on-site checklist (现场工作清单): the steps a team must take at every
target, defined once per round kind by the office ("三必谈三必看三必访" and the
procedural steps: 动员会, 公告, 个别谈话, 调阅资料, 走访, 听取汇报, 反馈…), and
each target's ticks, each with the record that shows the step was taken: a
work log, a 谈话记录 of the team at that target (fieldwork), or a file."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rounds.models import RoundKind, Target, WorkLog
from xuncha.orgs.models import Office


class ChecklistItem(models.Model):
    """One required step for the targets of one office's rounds of one kind."""

    class Section(models.TextChoices):
        PROCEDURE = "procedure", _("程序步骤")
        MUST_TALK = "must_talk", _("三必谈")
        MUST_SEE = "must_see", _("三必看")
        MUST_VISIT = "must_visit", _("三必访")

    class Evidence(models.TextChoices):
        LOG = "log", _("工作日报")
        INTERVIEW = "interview", _("谈话记录")
        DOCUMENT = "document", _("文件材料")

    office = models.ForeignKey(
        Office, verbose_name=_("巡察机构"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.ForeignKey(
        RoundKind, verbose_name=_("巡察类型"), on_delete=models.PROTECT, related_name="+"
    )
    section = models.CharField(_("类别"), max_length=12, choices=Section.choices)
    name = models.CharField(_("事项"), max_length=50)
    evidence = models.CharField(
        _("佐证记录"),
        max_length=10,
        choices=Evidence.choices,
        help_text=_("勾选时须附上的记录：工作日报、本组在该巡察对象的谈话记录，或上传的文件材料。"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["office", "kind__sort_order", "sort_order", "pk"]
        verbose_name = _("清单事项")
        verbose_name_plural = _("清单事项")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "kind", "name"], name="checklist_item_once_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistTick(models.Model):
    """A step taken at a target, with the record that shows it: a work log of
    the team's, a 谈话记录 the team made at that target, or a file.

    Ticks of interview steps made before 谈话记录 were recorded name a work log
    that counted interviews; they stay as they were (history), new ones must
    name a 谈话记录."""

    target = models.ForeignKey(
        Target, verbose_name=_("巡察对象"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("清单事项"), on_delete=models.PROTECT, related_name="ticks"
    )
    worklog = models.ForeignKey(
        WorkLog,
        verbose_name=_("工作日报"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    interview = models.ForeignKey(
        "fieldwork.Interview",
        verbose_name=_("谈话记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(_("文件"), upload_to="checklist/%Y/%m/", max_length=200, blank=True)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ticked_at = models.DateTimeField(_("勾选时间"), auto_now_add=True)

    class Meta:
        ordering = ["target", "item__sort_order", "pk"]
        verbose_name = _("清单勾选")
        verbose_name_plural = _("清单勾选")
        constraints = [
            models.UniqueConstraint(fields=["target", "item"], name="checklist_tick_once"),
            # A tick always names its record: a work log, a 谈话记录 or a stored file.
            models.CheckConstraint(
                name="checklist_tick_names_a_record",
                condition=models.Q(worklog__isnull=False)
                | models.Q(interview__isnull=False)
                | ~models.Q(sha256=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} #{self.target_id}"

    def get_file_url(self) -> str:
        return reverse("checklist:tick_file", args=[self.pk])
