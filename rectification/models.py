"""Rectification (整改): 三单五账一评估.

The inspected organization draws up its plan (the three lists) after
feedback; each item then moves on an append-only ledger by five actions
(报账 交账 转账 查账 销账); the office assesses the whole at the end.
"""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rounds.models import Problem, Round, Target
from xuncha.core.choices import ChoiceLabelsMixin
from xuncha.orgs.models import Department, Office, Organization


class Plan(models.Model):
    """整改方案: the three lists of one target, signed by its top leader."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("编制中")
        SIGNED = "signed", _("一把手已签字")
        SUBMITTED = "submitted", _("已报送")
        ACCEPTED = "accepted", _("已通过")
        RETURNED = "returned", _("已退回")

    target = models.OneToOneField(
        Target, verbose_name=_("巡察对象"), on_delete=models.PROTECT, related_name="plan"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="rectification_plans", editable=False
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签字背书人"),
    )
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整改方案")
        verbose_name_plural = _("整改方案")

    def __str__(self) -> str:
        return f"{self.organization}整改方案"

    def get_absolute_url(self) -> str:
        return reverse("rectification:plan_detail", args=[self.pk])


DONE_STATES = ("accepted", "closed")  # 查验通过 or 已销号
# Open and past planning: the states that carry a deadline colour.
LEDGER_STATES = ("in_progress", "handed_in", "transferred")


def colour_windows(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last deadlines that are yellow and green today (settings thresholds)."""
    return (
        today + datetime.timedelta(days=settings.RECTIFICATION_YELLOW_DAYS),
        today + datetime.timedelta(days=settings.RECTIFICATION_GREEN_DAYS),
    )


def deadline_colour(state: str, kind: str, deadline, today: datetime.date, windows=None) -> str:
    """An item's deadline colour from its state, kind and deadline (Item.colour;
    the ledger PDF asks it of plain values): green some days before the
    deadline, yellow nearer, red when overdue; none off the ledger, without a
    deadline or for ongoing work. ``windows``: colour_windows(today), when
    asked for many items."""
    if state not in LEDGER_STATES or deadline is None or kind == "ongoing":
        return ""
    if deadline < today:
        return "red"
    yellow_until, green_until = windows or colour_windows(today)
    if deadline <= yellow_until:
        return "yellow"
    if deadline <= green_until:
        return "green"
    return ""


class ItemQuerySet(models.QuerySet):
    """The computed rules of an item, one place each: lists, reminders,
    reports, closure and the dashboard ask these, not their own filters.
    The model's is_done and colour() are built from the same constants."""

    DONE_STATES = DONE_STATES

    @staticmethod
    def done_q(prefix: str = "") -> models.Q:
        """ "Done" as a filter, for counts over a relation (prefix "items__")."""
        return models.Q(**{f"{prefix}state__in": DONE_STATES})

    def done(self):
        return self.filter(self.done_q())

    def open(self):
        return self.exclude(self.done_q())

    def outstanding(self):
        """What keeps a round from 归档: open items, except one 转账 to a named
        receiving body, which that body now carries."""
        return self.open().exclude(state="transferred", transferred_to__isnull=False)

    @staticmethod
    def colour_q(colour: str, today: datetime.date | None = None) -> models.Q:
        """The deadline colour as a filter, so lists and counts stay in the database."""
        today = today or timezone.localdate()
        yellow_until, green_until = colour_windows(today)
        coloured = models.Q(state__in=LEDGER_STATES, deadline__isnull=False) & ~models.Q(
            kind="ongoing"
        )
        ranges = {
            "red": models.Q(deadline__lt=today),
            "yellow": models.Q(deadline__gte=today, deadline__lte=yellow_until),
            "green": models.Q(deadline__gt=yellow_until, deadline__lte=green_until),
        }
        return coloured & ranges.get(colour, models.Q(pk__in=[]))

    def coloured(self, colour: str, today: datetime.date | None = None):
        return self.filter(self.colour_q(colour, today))

    def with_colour(self, today: datetime.date):
        """Items that carry a colour today, annotated with it (``colour``)."""
        yellow_until, green_until = colour_windows(today)
        colour = models.Case(
            models.When(deadline__lt=today, then=models.Value("red")),
            models.When(deadline__lte=yellow_until, then=models.Value("yellow")),
            default=models.Value("green"),
            output_field=models.CharField(),
        )
        return (
            self.filter(state__in=LEDGER_STATES, deadline__isnull=False, deadline__lte=green_until)
            .exclude(kind="ongoing")
            .annotate(colour=colour)
        )


class Item(ChoiceLabelsMixin, models.Model):
    """One problem's rectification: its measures (任务清单), responsibility
    (责任清单) and its place on the ledger (整改台账)."""

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", _("立行立改")
        DEADLINE = "deadline", _("限期整改")
        ONGOING = "ongoing", _("长期坚持")

    class State(models.TextChoices):
        PLANNING = "planning", _("编制中")
        IN_PROGRESS = "in_progress", _("整改中")
        HANDED_IN = "handed_in", _("已交账")
        TRANSFERRED = "transferred", _("已转办")
        ACCEPTED = "accepted", _("查验通过")
        CLOSED = "closed", _("已销号")

    class Colour(models.TextChoices):
        NONE = "", _("正常")
        GREEN = "green", _("绿色")
        YELLOW = "yellow", _("黄色")
        RED = "red", _("红色")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="items")
    problem = models.OneToOneField(
        Problem, verbose_name=_("问题"), on_delete=models.PROTECT, related_name="rectification_item"
    )
    # Denormalised from the plan so the lists filter on one table.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", editable=False
    )
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+", editable=False)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", editable=False)
    measures = models.TextField(_("整改措施（任务清单）"), blank=True)
    kind = models.CharField(
        _("整改类型"), max_length=10, choices=Kind.choices, default=Kind.DEADLINE
    )
    responsible_leader = models.CharField(_("责任领导"), max_length=50, blank=True)
    responsible_person = models.CharField(_("责任人"), max_length=50, blank=True)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    supervisor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("分管领导账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responsible_department = models.CharField(_("责任部门"), max_length=100, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    state = models.CharField(
        _("台账状态"), max_length=12, choices=State.choices, default=State.PLANNING
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    transferred_to = models.ForeignKey(
        Department,
        verbose_name=_("转办部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectification_items",
    )
    rules_made = models.PositiveIntegerField(_("建章立制（项）"), default=0)
    money_recovered = models.DecimalField(
        _("挽回经济损失（元）"), max_digits=14, decimal_places=2, default=0
    )
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    # Optimistic lock: every ledger action bumps it, so two concurrent actions
    # on one item cannot both succeed.
    version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        indexes = [
            models.Index(fields=["organization", "state"], name="item_org_state"),
            models.Index(fields=["office", "state", "deadline"], name="item_office_state_deadline"),
            models.Index(fields=["state", "deadline"], name="item_state_deadline"),
            models.Index(fields=["transferred_to", "state"], name="item_transferred"),
            # The ledger lists' order (deadline, then id), for the city office,
            # a district office and a receiving department.
            models.Index(fields=["deadline", "id"], name="item_deadline"),
            models.Index(fields=["office", "deadline", "id"], name="item_office_deadline"),
            models.Index(fields=["transferred_to", "deadline", "id"], name="item_dept_deadline"),
            # Items that carry a deadline colour (ItemQuerySet.colour_q without the
            # date): the overdue list walks it from the oldest deadline.
            models.Index(
                fields=["deadline", "id"],
                condition=models.Q(state__in=LEDGER_STATES, deadline__isnull=False)
                & ~models.Q(kind="ongoing"),
                name="item_coloured_deadline",
            ),
            models.Index(
                fields=["office", "deadline", "id"],
                condition=models.Q(state__in=LEDGER_STATES, deadline__isnull=False)
                & ~models.Q(kind="ongoing"),
                name="item_coloured_office",
            ),
            # ... and by organization (the overdue list grouped by unit, a unit's own).
            models.Index(
                fields=["organization", "deadline", "id"],
                condition=models.Q(state__in=LEDGER_STATES, deadline__isnull=False)
                & ~models.Q(kind="ongoing"),
                name="item_coloured_organization",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="item_progress_percent", condition=models.Q(progress__lte=100)
            ),
            models.CheckConstraint(
                name="item_closed_has_time",
                condition=~models.Q(state="closed") | models.Q(closed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"整改事项 #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("rectification:item_detail", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.state in DONE_STATES

    @property
    def is_open(self) -> bool:
        return not self.is_done

    @property
    def on_ledger(self) -> bool:
        """Open and past planning: the states that carry a deadline colour."""
        return self.state in LEDGER_STATES

    def colour(self, today: datetime.date | None = None) -> str:
        """Green some days before the deadline, yellow nearer, red when overdue."""
        colour = deadline_colour(
            self.state, self.kind, self.deadline, today or timezone.localdate()
        )
        return self.Colour(colour)

    @property
    def warning_level(self) -> str:
        """Today's deadline colour ("" when none): what the reminders send."""
        return self.colour()


class LedgerEntry(models.Model):
    """One of the five actions on an item. Never edited: a correction is a new entry."""

    class Action(models.TextChoices):
        REPORT = "report", _("报账")
        HAND_IN = "hand_in", _("交账")
        TRANSFER = "transfer", _("转账")
        CHECK_ACCEPT = "check_accept", _("查账通过")
        CHECK_RETURN = "check_return", _("查账退回")
        CLOSE = "close", _("销账")
        REOPEN = "reopen", _("回头看重新打开")

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="entries")
    action = models.CharField(_("动作"), max_length=14, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.TextField(_("说明"), blank=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), null=True, blank=True)
    state_before = models.CharField(max_length=12)
    state_after = models.CharField(max_length=12)
    cosigners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("会签人"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("台账记录")
        verbose_name_plural = _("台账记录")
        indexes = [models.Index(fields=["item", "created_at"], name="entry_item_time")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.item_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("台账只能追加，不能修改。")
        super().save(*args, **kwargs)


class Evidence(models.Model):
    """An evidence file. A file of the same name on the same item is a new
    version; old versions are kept, each with its checksum."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="evidence")
    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/", max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    version = models.PositiveIntegerField(_("版本"), default=1)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["original_name", "-version"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "original_name", "version"], name="evidence_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("rectification:evidence_file", args=[self.item_id, self.pk])


class ItemReminder(models.Model):
    """A deadline reminder sent: once per item per colour, held by the database."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reminders")
    level = models.CharField(max_length=6, choices=Item.Colour.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整改提醒")
        verbose_name_plural = _("整改提醒")
        constraints = [
            models.UniqueConstraint(fields=["item", "level"], name="item_reminder_once_per_level"),
        ]

    def __str__(self) -> str:
        return f"#{self.item_id} {self.level}"


class Assessment(models.Model):
    """一评估: the satisfaction survey, the office's verdict, accountability."""

    class Verdict(models.TextChoices):
        PENDING = "", _("未评估")
        GOOD = "good", _("优秀")
        FAIR = "fair", _("较好")
        AVERAGE = "average", _("一般")
        POOR = "poor", _("差")

    target = models.OneToOneField(Target, on_delete=models.PROTECT, related_name="assessment")
    survey_open = models.BooleanField(_("测评开放"), default=True)
    # None: the one-question survey (总体满意度) the office used before questionnaires.
    questionnaire = models.ForeignKey(
        "Questionnaire",
        verbose_name=_("测评问卷"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    verdict = models.CharField(_("评估结论"), max_length=10, choices=Verdict.choices, blank=True)
    verdict_note = models.TextField(_("评估意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("整改评估")
        verbose_name_plural = _("整改评估")

    def __str__(self) -> str:
        return f"{self.target.organization}整改评估"

    def get_absolute_url(self) -> str:
        return reverse("rectification:assessment_detail", args=[self.pk])

    @property
    def survey_state(self) -> str:
        """The state the assessment table (rectification.workflow) reads."""
        return "open" if self.survey_open else "closed"

    def get_survey_state_display(self) -> str:
        return str(_("进行中") if self.survey_open else _("已结束"))


class SurveyLink(models.Model):
    """One answer's link (满意度测评): no account needed, used once."""

    class Respondent(models.TextChoices):
        CADRE = "cadre", _("干部")
        PUBLIC = "public", _("群众")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="links")
    token = models.CharField(max_length=43, unique=True)
    respondent = models.CharField(_("测评对象"), max_length=8, choices=Respondent.choices)
    # The link on the survey poster's QR code: answered by many members of the
    # public (rate-limited per address), never marked answered. A cadre's link
    # is personal and answered once.
    shared = models.BooleanField(_("公开二维码链接"), default=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("总体满意度"), null=True, blank=True)
    comment = models.TextField(_("意见建议"), blank=True)

    class Meta:
        verbose_name = _("测评链接")
        verbose_name_plural = _("测评链接")
        constraints = [
            models.CheckConstraint(
                name="survey_satisfaction_1_to_5",
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
            ),
        ]

    def __str__(self) -> str:
        return f"测评 {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("rectification:survey_answer", args=[self.token])


class Questionnaire(models.Model):
    """满意度测评问卷: aspects (方面) and their questions (指标), each with a
    scale and a weight. Defined once by an office and reused by its
    assessments; fixed once an assessment uses it, so scores stay comparable."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="questionnaires")
    name = models.CharField(_("问卷名称"), max_length=100)
    intro = models.TextField(_("填写说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("测评问卷")
        verbose_name_plural = _("测评问卷")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "name"], name="questionnaire_name_per_office"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("rectification:questionnaire_detail", args=[self.pk])


class QuestionnaireAspect(models.Model):
    """One aspect (测评方面), weighted against the others in the total score."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="aspects"
    )
    name = models.CharField(_("测评方面"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("权重"), default=1)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("测评方面")
        verbose_name_plural = _("测评方面")
        constraints = [
            models.CheckConstraint(
                name="aspect_weight_1_to_100", condition=models.Q(weight__gte=1, weight__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class QuestionScale(models.TextChoices):
    FIVE = "five", _("五级（非常满意—非常不满意）")
    FOUR = "four", _("四级（满意—不满意）")
    TEN = "ten", _("十分制（0—10 分）")


# Each scale's options, best first: (value, label). A value scores
# (value - lowest) / (highest - lowest) × 100.
SCALE_OPTIONS: dict[str, list[tuple[int, str]]] = {
    QuestionScale.FIVE: [
        (5, _("非常满意")),
        (4, _("满意")),
        (3, _("一般")),
        (2, _("不满意")),
        (1, _("非常不满意")),
    ],
    QuestionScale.FOUR: [(4, _("满意")), (3, _("较满意")), (2, _("基本满意")), (1, _("不满意"))],
    QuestionScale.TEN: [(value, str(value)) for value in range(10, -1, -1)],
}


class QuestionnaireQuestion(models.Model):
    """One indicator (测评指标) of an aspect."""

    aspect = models.ForeignKey(
        QuestionnaireAspect, on_delete=models.CASCADE, related_name="questions"
    )
    text = models.CharField(_("测评指标"), max_length=200)
    scale = models.CharField(
        _("评分等级"), max_length=8, choices=QuestionScale.choices, default=QuestionScale.FIVE
    )
    weight = models.PositiveSmallIntegerField(_("权重"), default=1)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("测评指标")
        verbose_name_plural = _("测评指标")
        constraints = [
            models.CheckConstraint(
                name="question_weight_1_to_100",
                condition=models.Q(weight__gte=1, weight__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def options(self) -> list[tuple[int, str]]:
        return SCALE_OPTIONS[self.scale]

    @property
    def bounds(self) -> tuple[int, int]:
        values = [value for value, _label in self.options]
        return min(values), max(values)


class SurveyResponse(models.Model):
    """One questionnaire filled in, through a cadre's link or the public QR code.
    Nothing identifies the person: no account, no address is stored."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    link = models.ForeignKey(SurveyLink, on_delete=models.CASCADE, related_name="responses")
    respondent = models.CharField(
        _("测评对象"), max_length=8, choices=SurveyLink.Respondent.choices
    )
    comment = models.TextField(_("意见建议"), blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("问卷答卷")
        verbose_name_plural = _("问卷答卷")
        indexes = [models.Index(fields=["assessment", "respondent"], name="response_assessment")]

    def __str__(self) -> str:
        return f"答卷 {self.pk}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        QuestionnaireQuestion, on_delete=models.PROTECT, related_name="answers"
    )
    value = models.SmallIntegerField(_("评分"))

    class Meta:
        verbose_name = _("答题")
        verbose_name_plural = _("答题")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="one_answer_per_question"
            ),
            models.CheckConstraint(
                name="answer_value_0_to_10", condition=models.Q(value__gte=0, value__lte=10)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class Accountability(models.Model):
    """问责 where rectification failed or people are not satisfied."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="accountabilities"
    )
    person_name = models.CharField(_("被问责人"), max_length=50)
    position = models.CharField(_("职务"), max_length=100)
    measure = models.CharField(_("问责方式"), max_length=100)
    reason = models.TextField(_("问责事由"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("问责记录")
        verbose_name_plural = _("问责记录")

    def __str__(self) -> str:
        return f"{self.person_name} {self.measure}"


class Recommendation(models.Model):
    """巡察建议书 to a functional department, for problems common to many units."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("已印发")
        RECEIVED = "received", _("已签收")
        ANSWERED = "answered", _("已反馈")
        CLOSED = "closed", _("已办结")

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="recommendations")
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, null=True, blank=True, related_name="recommendations"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("主送部门"),
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("建议内容"))
    issued_at = models.DateField(_("印发日期"), default=timezone.localdate)
    due = models.DateField(_("反馈期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("巡察建议书")
        verbose_name_plural = _("巡察建议书")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("rectification:recommendation_detail", args=[self.pk])


class RecommendationEntry(models.Model):
    """The recommendation's small ledger: receipt, feedback, closing; append-only."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="entries"
    )
    action = models.CharField(max_length=10, choices=Recommendation.Status.choices)
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("建议书办理记录")
        verbose_name_plural = _("建议书办理记录")

    def __str__(self) -> str:
        return f"{self.recommendation} {self.action}"


class FollowUp(models.Model):
    """回头看: a later check whether a closed item stayed fixed."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="follow_ups")
    held = models.BooleanField(_("整改成效巩固"), default=True)
    note = models.TextField(_("检查情况"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = _("回头看")
        verbose_name_plural = _("回头看")

    def __str__(self) -> str:
        return f"回头看 #{self.item_id}"
