"""大数据比对: outside lists uploaded for a round, the rules that pair them,
and the hits the team reviews.

ID-card numbers are never stored: a row keeps the number masked for display
(first 6, last 4) and its keyed hash (see normalize.id_key) for matching.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crosscheck.kinds import ListKind
from rounds.models import Problem, Round, Target
from xuncha.ops.models import ResumableJob
from xuncha.orgs.models import Office


def source_upload_path(source: "Source", filename: str) -> str:
    # Never the user's file name: a random one with the checked extension.
    return f"crosscheck/{uuid.uuid4().hex}.{source.file_format}"


class ColumnMapping(models.Model):
    """The mapping an office chose last time for a kind of list: offered first next time."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("名单类型"), max_length=20, choices=ListKind.choices)
    mapping = models.JSONField(_("列对应"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("列对应方案")
        verbose_name_plural = _("列对应方案")
        constraints = [
            models.UniqueConstraint(fields=["office", "kind"], name="one_mapping_per_office_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.get_kind_display()}"


class Source(ResumableJob):
    """One outside list brought into a round: uploaded, mapped, read by the worker."""

    class Status(models.TextChoices):
        MAPPING = "mapping", _("待确认列对应")
        IMPORTING = "importing", _("读取中")
        DONE = "done", _("可比对")
        FAILED = "failed", _("失败")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"
        HELD = "held", _("库内数据")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="crosscheck_sources")
    # The target the list was brought in for: its team sees it. Empty: a list
    # for the whole round (the office's, e.g. a city-wide register), which only
    # the office sees; a team sees such a list's rows only in its own hits.
    target = models.ForeignKey(
        Target,
        verbose_name=_("巡察对象"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("名单类型"), max_length=20, choices=ListKind.choices)
    label = models.CharField(_("名单名称"), max_length=100)
    file = models.FileField(upload_to=source_upload_path, max_length=200, blank=True)
    file_format = models.CharField(_("格式"), max_length=4, choices=Format.choices)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    headers = models.JSONField(_("表头"), default=list, blank=True)
    mapping = models.JSONField(_("列对应"), default=dict, blank=True)
    # The first rows for the mapping page, ID-shaped cells masked; read at upload.
    preview = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.MAPPING
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    bad_count = models.PositiveIntegerField(_("问题行数"), default=0)
    # Rows that can match only on the second key (name + birth date; an
    # enterprise's name): a rule joins on that key only when some list has
    # such rows, so lists complete in their first keys cost one join each.
    rows_without_id = models.PositiveIntegerField(default=0)
    rows_without_code = models.PositiveIntegerField(default=0)
    # The first bad rows: [row number, column, reason] (the count says how many in all).
    bad_rows = models.JSONField(_("问题行"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    imported_at = models.DateTimeField(_("读取完成时间"), null=True, blank=True)
    file_deleted_at = models.DateTimeField(_("原文件删除时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("比对名单")
        verbose_name_plural = _("比对名单")
        constraints = [
            models.CheckConstraint(
                name="crosscheck_progress_percent", condition=models.Q(progress__lte=100)
            ),
        ]
        indexes = [models.Index(fields=["round", "kind", "status"], name="cc_source_round_kind")]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("crosscheck:source_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.IMPORTING


class Row(models.Model):
    """One row of a list, in the common fields. Empty keys are NULL, so an
    index holds only rows that can match and a join never pairs two blanks.

    A list runs to millions of rows, written by COPY: the database keeps no
    foreign-key constraint on ``source`` (its per-row check took a fifth of
    the import) and only the indexes the joins and the pages use. The first
    keys (ID number, credit code) are indexed list first, so a new list's
    entries fill a fresh part of each index instead of random pages all
    over it (a third of the import's time); the second keys (name + birth
    date, enterprise name) are joined rarely and by hash."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    line = models.PositiveIntegerField(_("行号"))
    name = models.CharField(_("姓名"), max_length=100, null=True)
    id_masked = models.CharField(_("身份证号"), max_length=18, blank=True)
    id_hash = models.CharField(max_length=32, null=True)
    birth_date = models.DateField(_("出生日期"), null=True)
    # Keyed hash of name|birth date (normalize.name_birth_key), like id_hash;
    # birth_date stays empty on rows with a valid ID (it is in the number).
    name_birth = models.CharField(max_length=32, null=True)
    enterprise = models.CharField(_("企业名称"), max_length=200, null=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, null=True)
    role = models.CharField(_("身份/关系"), max_length=50, blank=True)
    unit = models.CharField(_("工作单位"), max_length=200, blank=True)
    amount = models.DecimalField(_("金额"), max_digits=16, decimal_places=2, null=True)
    date = models.DateField(_("日期"), null=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("名单行")
        verbose_name_plural = _("名单行")
        indexes = [
            models.Index(
                fields=["source", "id_hash"],
                name="cc_row_id_hash",
                condition=models.Q(id_hash__isnull=False),
            ),
            models.Index(
                fields=["source", "credit_code"],
                name="cc_row_credit_code",
                condition=models.Q(credit_code__isnull=False),
            ),
            models.Index(fields=["source", "line"], name="cc_row_source_line"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.line}"


class Rule(models.Model):
    """Pairs two kinds of list on a key. With ``via_kind`` the pairing runs
    through a third list (a payment's enterprise, found in the registry,
    whose legal representative is a cadre). In "undeclared" mode a hit is a
    left row whose person is on the right list but whose enterprise is not
    declared there (瞒报)."""

    class Key(models.TextChoices):
        PERSON = "person", _("身份证号（缺号时用姓名+出生日期）")
        ENTERPRISE = "enterprise", _("统一社会信用代码（缺码时用企业名称）")
        NAME = "name", _("仅姓名（需人工核实）")

    class Mode(models.TextChoices):
        MATCH = "match", _("两边都有即命中")
        UNDECLARED = "undeclared", _("本人在右表中但该企业未申报即命中")

    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("内置规则留空，各巡察机构均可使用。"),
    )
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    description = models.TextField(_("命中含义"))
    left_kind = models.CharField(_("左表"), max_length=20, choices=ListKind.choices)
    key = models.CharField(_("比对依据"), max_length=12, choices=Key.choices)
    via_kind = models.CharField(_("经由"), max_length=20, choices=ListKind.choices, blank=True)
    via_key = models.CharField(_("经由后比对依据"), max_length=12, choices=Key.choices, blank=True)
    right_kind = models.CharField(_("右表"), max_length=20, choices=ListKind.choices)
    mode = models.CharField(_("命中方式"), max_length=12, choices=Mode.choices, default=Mode.MATCH)
    # Parameters, all optional: date_from, date_to (ISO, on the left row's
    # date), min_amount (left), right_roles, via_roles (lists of role texts),
    # left_after_right (the left date after the right one), different_unit.
    params = models.JSONField(_("参数"), default=dict, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["office_id", "pk"]
        verbose_name = _("比对规则")
        verbose_name_plural = _("比对规则")
        constraints = [
            models.CheckConstraint(
                name="cc_rule_via_has_key",
                condition=models.Q(via_kind="", via_key="")
                | (~models.Q(via_kind="") & ~models.Q(via_key="")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shipped(self) -> bool:
        return self.office_id is None


class RuleRun(ResumableJob):
    """One run of a rule over a round's lists: who asked, when, how it went,
    how many new hits. Run by the worker (crosscheck.tasks.run_rule): at
    province scale the join takes seconds, too long for a web request."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("比对中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="runs")
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    message = models.CharField(_("说明"), max_length=500, blank=True)
    # When it was asked for (the sweep reads it as the job's created_at).
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    seconds = models.FloatField(default=0)
    new_hits = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            # A form posted twice, or two people at once: one run of a rule per
            # round at a time (the service says so in words; this holds under a race).
            models.UniqueConstraint(
                fields=["round", "rule"],
                condition=models.Q(status__in=["queued", "running"]),
                name="cc_one_active_run_per_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def created_at(self):
        return self.started_at

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class Hit(models.Model):
    """A pair of rows a rule found, waiting for the team's review."""

    class Status(models.TextChoices):
        OPEN = "open", _("待研判")
        PROBLEM = "problem", _("已转为问题")
        CLUE = "clue", _("已起草线索")
        DISMISSED = "dismissed", _("已排除")

    class Basis(models.TextChoices):
        ID = "id", _("身份证号相同")
        NAME_BIRTH = "name_birth", _("姓名和出生日期相同（一方缺身份证号）")
        CREDIT_CODE = "credit_code", _("统一社会信用代码相同")
        ENTERPRISE = "enterprise", _("企业名称相同（一方缺信用代码）")
        NAME = "name", _("姓名相同（未核对证件）")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="crosscheck_hits")
    # Whose lead it is: the target of the lists it came from (set after each
    # run, crosscheck.services.runs), or the one the office assigns. A team
    # sees only its own targets' hits; a hit with none is the office's.
    target = models.ForeignKey(
        Target,
        verbose_name=_("巡察对象"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="hits")
    left_row = models.ForeignKey(Row, on_delete=models.CASCADE, related_name="+")
    via_row = models.ForeignKey(Row, on_delete=models.CASCADE, null=True, related_name="+")
    right_row = models.ForeignKey(Row, on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(_("命中依据"), max_length=12, choices=Basis.choices)
    via_basis = models.CharField(_("经由依据"), max_length=12, choices=Basis.choices, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    review_note = models.TextField(_("研判意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("研判时间"), null=True)
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, null=True, related_name="+")
    clue = models.ForeignKey("clues.Clue", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("发现时间"))

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("比对命中")
        verbose_name_plural = _("比对命中")
        constraints = [
            # A run again finds the same pairs: they are not hits again.
            models.UniqueConstraint(
                fields=["rule", "left_row", "right_row"], name="cc_hit_once_per_pair"
            ),
        ]
        indexes = [
            models.Index(fields=["round", "status", "-id"], name="cc_hit_round_status"),
            models.Index(fields=["target", "status", "-id"], name="cc_hit_target_status"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("crosscheck:hit_detail", args=[self.pk])
