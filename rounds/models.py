"""The on-site half of an inspection: rounds, teams, targets, daily work logs,
weekly summaries and the problems found."""

import calendar
import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from xuncha.core.choices import ChoiceLabelsMixin
from xuncha.orgs.models import Cadre, Office, Organization

CHINESE_NUMERALS = "零一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 → 一, 13 → 十三, 20 → 二十; 100 and over stay in digits (terms, rounds and
    team numbers never get there, and the forms cap them at 99)."""
    if n >= 100:
        return str(n)
    if n <= 10:
        return CHINESE_NUMERALS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens]
    return f"{head}十{CHINESE_NUMERALS[ones] if ones else ''}"


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class RoundKind(models.Model):
    """常规, 专项, 机动, 提级, 交叉, 联动, 延伸, 回头看: a round may be several."""

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("巡察类型")
        verbose_name_plural = _("巡察类型")

    def __str__(self) -> str:
        return self.name


class Round(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("计划")
        PREPARING = "preparing", _("准备")
        ON_SITE = "on_site", _("进驻")
        REPORTING = "reporting", _("报告")
        FEEDBACK = "feedback", _("反馈")
        RECTIFYING = "rectifying", _("整改")
        ARCHIVED = "archived", _("归档")

    office = models.ForeignKey(
        Office, verbose_name=_("巡察机构"), on_delete=models.PROTECT, related_name="rounds"
    )
    term = models.PositiveSmallIntegerField(_("届次"), help_text=_("如十三届填 13。"))
    number = models.PositiveSmallIntegerField(_("轮次"))
    year = models.PositiveSmallIntegerField(_("年度"))
    kinds = models.ManyToManyField(RoundKind, verbose_name=_("巡察类型"))
    theme = models.CharField(_("专项主题"), max_length=100, blank=True)
    planned_start = models.DateField(_("计划开始"))
    planned_end = models.DateField(_("计划结束"))
    # The round's plan sets when each team hands in its 巡察情况报告; the
    # evaluation's 报告报送及时率 measures against it.
    report_due = models.DateField(
        _("巡察报告报送期限"),
        null=True,
        blank=True,
        help_text=_("各巡察组向巡察办报送巡察情况报告的截止日期。"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-term", "-number"]
        verbose_name = _("巡察轮次")
        verbose_name_plural = _("巡察轮次")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "term", "number"], name="round_unique_per_office_term"
            ),
            models.CheckConstraint(
                name="round_dates_in_order",
                condition=models.Q(planned_end__gte=models.F("planned_start")),
            ),
            models.CheckConstraint(
                name="round_report_due_after_start",
                condition=models.Q(report_due__isnull=True)
                | models.Q(report_due__gte=models.F("planned_start")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("rounds:round_detail", args=[self.pk])

    @property
    def name(self) -> str:
        owner = "市委" if self.office.is_city else self.office.name.removesuffix("巡察办")
        return f"{chinese_number(self.term)}届{owner}第{chinese_number(self.number)}轮巡察"


class Team(models.Model):
    round = models.ForeignKey(
        Round, verbose_name=_("巡察轮次"), on_delete=models.PROTECT, related_name="teams"
    )
    number = models.PositiveSmallIntegerField(_("组号"))
    liaison = models.CharField(_("联络员"), max_length=50, blank=True)

    class Meta:
        ordering = ["round", "number"]
        verbose_name = _("巡察组")
        verbose_name_plural = _("巡察组")
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="team_number_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("rounds:team_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return f"第{chinese_number(self.number)}巡察组"


class Membership(models.Model):
    """A cadre on a team for one round (一次一授权)."""

    class Role(models.TextChoices):
        LEADER = "leader", _("组长")
        DEPUTY = "deputy", _("副组长")
        MEMBER = "member", _("组员")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    # Denormalised from team so that "one team per person per round" is a constraint.
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+", editable=False)
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("职务"), max_length=10, choices=Role.choices)
    joined_at = models.DateTimeField(_("编入时间"), auto_now_add=True)
    commitments_completed_at = models.DateTimeField(_("三承诺签署完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["team", "role", "pk"]
        verbose_name = _("巡察组成员")
        verbose_name_plural = _("巡察组成员")
        constraints = [
            models.UniqueConstraint(fields=["round", "cadre"], name="one_team_per_round"),
            models.UniqueConstraint(
                fields=["team"], condition=models.Q(role="leader"), name="one_leader_per_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.get_role_display()} {self.cadre}"

    @property
    def has_signed_all(self) -> bool:
        return self.commitments_completed_at is not None


class Commitment(models.Model):
    """One of the three commitments (三承诺) a member signs before seeing data."""

    class Kind(models.TextChoices):
        CONFIDENTIALITY = "confidentiality", _("保密承诺")
        RECUSAL = "recusal", _("回避承诺")
        DISCIPLINE = "discipline", _("纪律承诺")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="commitments")
    kind = models.CharField(_("承诺"), max_length=20, choices=Kind.choices)
    signed_at = models.DateTimeField(_("签署时间"))
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("承诺书")
        verbose_name_plural = _("承诺书")
        constraints = [
            models.UniqueConstraint(fields=["membership", "kind"], name="commitment_signed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.membership.cadre} {self.get_kind_display()}"


class Target(models.Model):
    """One organization inspected in one round by one team."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("待进驻")
        ON_SITE = "on_site", _("进驻中")
        REPORTING = "reporting", _("形成报告")
        FED_BACK = "fed_back", _("已反馈")
        RECTIFYING = "rectifying", _("整改中")
        CLOSED = "closed", _("已完成")

    round = models.ForeignKey(
        Round, verbose_name=_("巡察轮次"), on_delete=models.PROTECT, related_name="targets"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("巡察组"), on_delete=models.PROTECT, related_name="targets"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("被巡察党组织"),
        on_delete=models.PROTECT,
        related_name="targets",
    )
    leader_name = models.CharField(
        _("主要负责人"), max_length=50, blank=True, help_text=_("巡察时的一把手。")
    )
    entry_date = models.DateField(_("进驻日期"), null=True, blank=True)
    exit_date = models.DateField(_("撤离日期"), null=True, blank=True)
    feedback_date = models.DateField(_("反馈日期"), null=True, blank=True)
    rectification_due = models.DateField(_("整改报告期限"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.ASSIGNED
    )

    class Meta:
        ordering = ["round", "team__number", "organization__code"]
        verbose_name = _("巡察对象")
        verbose_name_plural = _("巡察对象")
        constraints = [
            models.UniqueConstraint(fields=["round", "organization"], name="target_once_per_round"),
        ]
        indexes = [models.Index(fields=["round", "team"], name="target_round_team")]

    def __str__(self) -> str:
        return f"{self.organization}（{self.round}）"

    def save(self, *args, **kwargs):
        # The regulation: the inspected organization reports within two months of feedback.
        self.rectification_due = (
            add_months(self.feedback_date, settings.RECTIFICATION_REPORT_MONTHS)
            if self.feedback_date
            else None
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("rounds:target_detail", args=[self.pk])


class TargetUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's direct foreign-key table for targets: a team member's
    grants live here, so scoping a list is a join, not a generic-key scan."""

    content_object = models.ForeignKey(Target, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class WorkLog(models.Model):
    """工作日报: one per team per day, filed by the team leader."""

    team = models.ForeignKey(
        Team, verbose_name=_("巡察组"), on_delete=models.PROTECT, related_name="logs"
    )
    date = models.DateField(_("日期"))
    interviews = models.PositiveIntegerField(_("个别谈话（人次）"), default=0)
    documents = models.PositiveIntegerField(_("调阅资料（份）"), default=0)
    petitions = models.PositiveIntegerField(_("受理信访件（件）"), default=0)
    visits = models.PositiveIntegerField(_("走访（次）"), default=0)
    site_checks = models.PositiveIntegerField(_("实地踏勘（次）"), default=0)
    problems_found = models.PositiveIntegerField(_("发现问题（个）"), default=0)
    narrative = models.TextField(_("工作情况"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("工作日报")
        verbose_name_plural = _("工作日报")
        constraints = [
            models.UniqueConstraint(fields=["team", "date"], name="one_log_per_team_day"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.date}"


class WeeklySummary(models.Model):
    """周汇总: last week's logs for a round, compiled every Monday."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="weekly_summaries")
    week_start = models.DateField(_("周一"))
    data = models.JSONField(_("汇总"), default=dict)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        ordering = ["-week_start"]
        verbose_name = _("周汇总")
        verbose_name_plural = _("周汇总")
        constraints = [
            models.UniqueConstraint(fields=["round", "week_start"], name="one_summary_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.week_start}"

    def get_absolute_url(self) -> str:
        return reverse("rounds:weekly_summary_detail", args=[self.pk])

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)


class ProblemCategory(models.Model):
    """The category tree: focus areas down to the items of the negative list."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级类别"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.CharField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    is_negative_list = models.BooleanField(_("负面清单条目"), default=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")

    def __str__(self) -> str:
        return self.name


class Problem(ChoiceLabelsMixin, models.Model):
    class Source(models.TextChoices):
        INTERVIEW = "interview", _("谈话")
        DOCUMENTS = "documents", _("调阅")
        PETITION = "petition", _("信访")
        VISIT = "visit", _("走访")
        DATA = "data", _("大数据比对")
        OTHER = "other", _("其他")

    class Severity(models.TextChoices):
        MINOR = "minor", _("一般")
        SERIOUS = "serious", _("较重")
        GRAVE = "grave", _("严重")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        TEAM_REVIEW = "team_review", _("组内研判")
        OFFICE_REVIEW = "office_review", _("办审核")
        IN_REPORT = "in_report", _("列入报告")
        FED_BACK = "fed_back", _("已反馈")

    target = models.ForeignKey(
        Target, verbose_name=_("巡察对象"), on_delete=models.PROTECT, related_name="problems"
    )
    category = models.ForeignKey(
        ProblemCategory,
        verbose_name=_("问题类别"),
        on_delete=models.PROTECT,
        related_name="problems",
    )
    description = models.TextField(_("问题描述"))
    source = models.CharField(_("问题来源"), max_length=12, choices=Source.choices)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    immediate_fix = models.BooleanField(_("立行立改"), default=False)
    status = models.CharField(
        _("状态"), max_length=14, choices=Status.choices, default=Status.DRAFT
    )
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发现人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    found_on = models.DateField(_("发现日期"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Denormalised for the list filters that the office uses most; kept in
    # step by the services (a target never changes round or team).
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+", editable=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("发现问题")
        verbose_name_plural = _("发现问题")
        indexes = [
            models.Index(fields=["round", "status", "-id"], name="problem_round_status"),
            models.Index(fields=["team", "-id"], name="problem_team"),
            models.Index(fields=["target", "status"], name="problem_target_status"),
            models.Index(fields=["category", "-id"], name="problem_category"),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    def get_absolute_url(self) -> str:
        return reverse("rounds:problem_detail", args=[self.pk])


class ProblemAttachment(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="problems/%Y/%m/", max_length=200)
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
        verbose_name = _("问题附件")
        verbose_name_plural = _("问题附件")

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("rounds:problem_attachment", args=[self.problem_id, self.pk])


class TeamReport(models.Model):
    """巡察情况报告 as a team hands it in to the office, one per target. Every
    hand-in is kept (a corrected report is a new row, never an overwrite); the
    first one's time is when the report was handed in, which the evaluation
    compares with the round's 报告报送期限."""

    target = models.ForeignKey(
        Target, verbose_name=_("巡察对象"), on_delete=models.PROTECT, related_name="team_reports"
    )
    # Denormalised (a target never changes team) so the evaluation counts by team.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", editable=False)
    file = models.FileField(_("文件"), upload_to="team_reports/%Y/%m/", max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    class Meta:
        ordering = ["target", "submitted_at", "pk"]
        verbose_name = _("巡察情况报告")
        verbose_name_plural = _("巡察情况报告")
        indexes = [models.Index(fields=["team", "target"], name="team_report_team_target")]

    def __str__(self) -> str:
        return f"{self.target.organization} {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("rounds:team_report_file", args=[self.target_id, self.pk])

    @staticmethod
    def handed_in_on_time(submitted_at: datetime.datetime, due: datetime.date) -> bool:
        """The rule the target page and the evaluation share: handed in on or
        before the due day (local time; the whole day counts)."""
        return timezone.localdate(submitted_at) <= due

    def is_on_time(self, due: datetime.date) -> bool:
        return self.handed_in_on_time(self.submitted_at, due)
