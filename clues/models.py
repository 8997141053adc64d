"""Problem clues (问题线索): allegations about named people, handed to the body
that deals with them. The most sensitive records in the system.

``__str__`` of every model here is the handover number, never a name, so the
audit log, admin and messages cannot leak content by printing an object.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from rounds.models import Problem, Round, Target, Team
from xuncha.core.choices import ChoiceLabelsMixin
from xuncha.orgs.models import Department


class Clue(ChoiceLabelsMixin, models.Model):
    class Discipline(models.TextChoices):
        POLITICAL = "political", _("政治纪律")
        ORGANIZATIONAL = "organizational", _("组织纪律")
        INTEGRITY = "integrity", _("廉洁纪律")
        MASSES = "masses", _("群众纪律")
        WORK = "work", _("工作纪律")
        LIFE = "life", _("生活纪律")

    class Rank(models.TextChoices):
        BUREAU = "bureau", _("厅局级")
        DEPARTMENT = "department", _("县处级")
        SECTION = "section", _("乡科级")
        OTHER = "other", _("其他")

    class Confidentiality(models.TextChoices):
        INTERNAL = "internal", _("内部")
        SECRET = "secret", _("秘密")
        CONFIDENTIAL = "confidential", _("机密")

    class Status(models.TextChoices):
        DRAFT = "draft", _("起草")
        SUBMITTED = "submitted", _("组长已签")
        APPROVED = "approved", _("巡察办已批")
        RECEIVED = "received", _("部门已签收")
        CLOSED = "closed", _("已销号")

    number = models.CharField(_("交接单编号"), max_length=30, unique=True)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="clues")
    team = models.ForeignKey(
        Team, verbose_name=_("巡察组"), on_delete=models.PROTECT, related_name="clues"
    )
    target = models.ForeignKey(
        Target, verbose_name=_("巡察对象"), on_delete=models.PROTECT, related_name="clues"
    )
    problems = models.ManyToManyField(
        Problem, verbose_name=_("相关问题"), blank=True, related_name="clues"
    )
    person_name = models.CharField(_("被反映人"), max_length=50)
    person_position = models.CharField(_("职务"), max_length=100)
    person_rank = models.CharField(_("职级"), max_length=12, choices=Rank.choices)
    person_is_top_leader = models.BooleanField(_("是否一把手"), default=False)
    discipline = models.CharField(_("涉及纪律"), max_length=16, choices=Discipline.choices)
    source = models.CharField(_("线索来源"), max_length=12, choices=Problem.Source.choices)
    confidentiality = models.CharField(
        _("密级"), max_length=12, choices=Confidentiality.choices, default=Confidentiality.SECRET
    )
    summary = models.TextField(_("问题线索摘要"))
    department = models.ForeignKey(
        Department, verbose_name=_("接收部门"), on_delete=models.PROTECT, related_name="clues"
    )
    urgent = models.BooleanField(_("直报快车道"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    return_reason = models.TextField(_("退回理由"), blank=True)

    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("起草人"),
    )
    drafted_at = models.DateTimeField(_("起草时间"), default=timezone.now)
    # The three signatures of the handover form (审批交接单).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("巡察组组长签字"),
    )
    submitted_at = models.DateTimeField(_("组长签字时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("巡察办审批"),
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接收部门签收"),
    )
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    disposition_due = models.DateField(_("处置反馈期限"), null=True, blank=True)
    # The first disposition report since receipt (or since reopening): once it
    # is in, the feedback deadline is met and no longer overdue or reminded.
    feedback_at = models.DateTimeField(_("首次反馈时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("问题线索")
        verbose_name_plural = _("问题线索")
        permissions = [("manage_clue", _("管理问题线索（巡察办线索专管员）"))]
        indexes = [
            models.Index(fields=["status", "-id"], name="clue_status"),
            # Also the order of what awaits a department's receipt (urgent first,
            # oldest approval first): the list walks it instead of sorting them all.
            models.Index(
                fields=["department", "status", "-urgent", "approved_at"],
                name="clue_department_status",
            ),
            models.Index(fields=["disposition_due"], name="clue_disposition_due"),
            # The ledgers list urgent clues first, newest next.
            models.Index(fields=["-urgent", "-id"], name="clue_urgent_first"),
        ]
        constraints = [
            models.CheckConstraint(
                name="clue_received_has_signatures",
                condition=~models.Q(status__in=["received", "closed"])
                | models.Q(
                    submitted_at__isnull=False, approved_at__isnull=False, received_at__isnull=False
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("clues:clue_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.RECEIVED
            and self.feedback_at is None
            and self.disposition_due is not None
            and self.disposition_due < timezone.localdate()
        )


class ClueUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Clue, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class ClueGroupObjectPermission(GroupObjectPermissionBase):
    """A receiving department's grant: to its group, at receipt."""

    content_object = models.ForeignKey(Clue, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class ClueFile(models.Model):
    """The material package (问题资料包): never served from a public URL."""

    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("谈话笔录")
        DOCUMENT = "document", _("书证材料")
        PETITION = "petition", _("信访件")
        OTHER = "other", _("其他")

    clue = models.ForeignKey(Clue, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(_("材料类别"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to="clues/%Y/", max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("线索材料")
        verbose_name_plural = _("线索材料")

    def __str__(self) -> str:
        return f"{self.clue.number}-{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("clues:clue_file", args=[self.clue_id, self.pk])


class Disposition(models.Model):
    """One report from the receiving department: never edited, only added to."""

    class Method(models.TextChoices):
        TALK = "talk", _("谈话函询")
        VERIFY = "verify", _("初步核实")
        SHELVE = "shelve", _("暂存待查")
        CLOSE = "close", _("予以了结")
        CASE = "case", _("立案审查调查")

    # The outcomes for the people dealt with: DispositionPerson (one row per
    # person; the headline counts people, not clues).
    class PartyDiscipline(models.TextChoices):
        NONE = "", _("无")
        WARNING = "warning", _("警告")
        SERIOUS_WARNING = "serious_warning", _("严重警告")
        REMOVAL = "removal", _("撤销党内职务")
        PROBATION = "probation", _("留党察看")
        EXPULSION = "expulsion", _("开除党籍")

    class GovernmentSanction(models.TextChoices):
        NONE = "", _("无")
        WARNING = "warning", _("警告")
        DEMERIT = "demerit", _("记过")
        MAJOR_DEMERIT = "major_demerit", _("记大过")
        DEMOTION = "demotion", _("降级")
        DISMISSAL_FROM_POST = "dismissal_from_post", _("撤职")
        EXPULSION = "expulsion", _("开除")

    clue = models.ForeignKey(Clue, on_delete=models.PROTECT, related_name="dispositions")
    method = models.CharField(_("处置方式"), max_length=10, choices=Method.choices)
    money_recovered = models.DecimalField(
        _("挽回经济损失（元）"), max_digits=14, decimal_places=2, default=0
    )
    is_final = models.BooleanField(_("处置完毕"), default=False)
    note = models.TextField(_("情况说明"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("报告时间"), default=timezone.now)

    class Meta:
        ordering = ["reported_at", "id"]
        verbose_name = _("处置情况")
        verbose_name_plural = _("处置情况")
        constraints = [
            models.CheckConstraint(
                name="disposition_money_not_negative", condition=models.Q(money_recovered__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clue.number} {self.get_method_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("处置情况只能追加，不能修改。")
        super().save(*args, **kwargs)


class DispositionPerson(models.Model):
    """One person dealt with in a disposition, and what they got: the figures
    (党纪政务处分 N 人, 移送司法机关 N 人) count these rows, not clues. Which
    outcomes a disposition's method can produce is clues.workflow.OUTCOMES."""

    disposition = models.ForeignKey(Disposition, on_delete=models.PROTECT, related_name="people")
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职务"), max_length=100, blank=True)
    party_discipline = models.CharField(
        _("党纪处分"), max_length=20, choices=Disposition.PartyDiscipline.choices, blank=True
    )
    government_sanction = models.CharField(
        _("政务处分"), max_length=20, choices=Disposition.GovernmentSanction.choices, blank=True
    )
    organizational_handling = models.CharField(
        _("组织处理"), max_length=100, blank=True, help_text=_("如诫勉、调离岗位、免职等。")
    )
    transferred_to_justice = models.BooleanField(_("移送司法机关"), default=False)

    class Meta:
        ordering = ["disposition", "id"]
        verbose_name = _("处理人员")
        verbose_name_plural = _("处理人员")
        constraints = [
            models.UniqueConstraint(fields=["disposition", "name"], name="disposition_person_once"),
        ]

    def __str__(self) -> str:
        # Never the name: see the module's docstring.
        return f"{self.disposition.clue.number}-{self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("处置情况只能追加，不能修改。")
        super().save(*args, **kwargs)

    @property
    def outcomes(self) -> list[str]:
        return [kind for kind in OUTCOME_KINDS if self.has_outcome(kind)]

    def has_outcome(self, kind: str) -> bool:
        value = getattr(self, kind)
        return bool(value.strip() if isinstance(value, str) else value)


# The four kinds of outcome, as DispositionPerson fields.
OUTCOME_KINDS = (
    "party_discipline",
    "government_sanction",
    "organizational_handling",
    "transferred_to_justice",
)


class ClueReminder(models.Model):
    """A disposition reminder sent. Unique per clue and level: the database,
    not the task, guarantees "once ever" under two workers or a retry."""

    class Level(models.TextChoices):
        DUE_SOON = "due_soon", _("即将到期")
        OVERDUE = "overdue", _("已逾期")
        ESCALATED = "escalated", _("严重逾期")

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="reminders")
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("线索提醒")
        verbose_name_plural = _("线索提醒")
        constraints = [
            models.UniqueConstraint(fields=["clue", "level"], name="clue_reminder_once_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.clue.number} {self.level}"
