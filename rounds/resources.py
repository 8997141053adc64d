"""Excel import and export of problems (发现问题).

Import: the office's historical problem ledgers, one problem per row, with
the Chinese headers of the template (IMPORT_COLUMNS). The target is named by
its id, or by the organization's code and the round's term and number; the
category by its code or name; choices by their Chinese labels. Rows are
written in batches by rounds.services.imports.problems_import (each checked
and audit-logged); the preview runs the same checks and writes nothing.

Export: PROBLEM_EXPORT_COLUMNS and problem_export_rows() are what the problem
list's Excel export writes, so the list page and the bench use one code path.
"""

import datetime

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from rounds.models import Problem, ProblemCategory, Round, Target, chinese_number
from rounds.services.imports import default_status, problem_import_check, problems_import
from xuncha.imports.kinds import ImportKind, register_kind
from xuncha.orgs.resources import BooleanLabelWidget, ChoiceLabelWidget

# Column, required, example value: the template's header row and example row.
IMPORT_COLUMNS = [
    ("巡察对象编号", False, ""),
    ("组织编码", True, "370100-001"),
    ("届次", True, 13),
    ("轮次", True, 1),
    ("问题类别", True, "C04"),
    ("问题描述", True, "违规向在职人员发放津补贴共计12.6万元。"),
    ("问题来源", True, "谈话"),
    ("严重程度", True, "较重"),
    ("立行立改", True, "否"),
    ("发现日期", True, datetime.date(2025, 4, 10)),
    ("问题状态", False, "已反馈"),
]
TARGET_COLUMNS = ("巡察对象编号", "组织编码", "届次", "轮次")
SAVE_BATCH = 500  # problems written (and audit-logged) together
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def whole_number(value, what: str) -> int | None:
    """A number from a cell: 13, 13.0 (a spreadsheet's numbers are floats) or "13"."""
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValueError(f"{what}应为数字，而不是「{value}」。") from None
    if number != int(number) or number < 0:
        raise ValueError(f"{what}应为正整数，而不是「{value}」。")
    return int(number)


class ChineseDateWidget(widgets.Widget):
    """A date from a date cell or from text in the formats offices write."""

    def __init__(self, *, required: bool = True):
        super().__init__()
        self.required = required

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            if self.required:
                raise ValueError("不能为空。")
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(f"「{text}」不是有效日期，请写成 2025-04-10 的格式。")

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class TextWidget(widgets.CharWidget):
    """Text as written, trimmed; an empty cell is an empty string."""

    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row, **kwargs).strip()


class CategoryWidget(widgets.Widget):
    """A category by its code (C04) or its name (违规发放津补贴), looked up once per import."""

    def __init__(self):
        super().__init__()
        self._by_key: dict[str, ProblemCategory] | None = None

    def clean(self, value, row=None, **kwargs):
        text = str(value).strip() if value is not None else ""
        if not text:
            raise ValueError("不能为空。")
        if self._by_key is None:
            self._by_key = {}
            for category in ProblemCategory.objects.all():
                self._by_key.setdefault(category.name, category)
                self._by_key[category.code] = category
        try:
            return self._by_key[text]
        except KeyError:
            raise ValueError(f"问题类别「{text}」不存在（请填写类别编码或名称）。") from None


class TargetFinder:
    """The target a row names, by id or by organization code + term + number.
    Each key is looked up once per import."""

    def __init__(self, user):
        self.user = user
        self._cache: dict[tuple, Target | str] = {}

    def _query(self):
        return Target.objects.select_related("organization", "round__office", "team")

    def find(self, row) -> Target:
        target_id = whole_number(row.get("巡察对象编号"), "巡察对象编号")
        if target_id is not None:
            key: tuple = ("id", target_id)
        else:
            code = str(row.get("组织编码") or "").strip()
            term = whole_number(row.get("届次"), "届次")
            number = whole_number(row.get("轮次"), "轮次")
            if not code or term is None or number is None:
                raise ValueError("请填写巡察对象编号，或同时填写组织编码、届次和轮次。")
            key = ("code", code, term, number)
        if key not in self._cache:
            self._cache[key] = self._look_up(key)
        found = self._cache[key]
        if isinstance(found, str):
            raise ValueError(found)
        return found

    def _look_up(self, key: tuple) -> Target | str:
        if key[0] == "id":
            target = self._query().filter(pk=key[1]).first()
            return target or f"巡察对象编号 {key[1]} 不存在。"
        _kind, code, term, number = key
        candidates = list(
            self._query().filter(organization__code=code, round__term=term, round__number=number)
        )
        office = self.user.office
        if len(candidates) > 1 and office is not None:
            # Each office numbers its own rounds: prefer the importing office's.
            own = [t for t in candidates if t.round.office_id == office.pk]
            candidates = own or candidates
        if not candidates:
            return (
                f"组织编码「{code}」在{chinese_number(term)}届第{chinese_number(number)}轮"
                f"巡察中不是巡察对象。"
            )
        if len(candidates) > 1:
            return "多个巡察机构的该轮次都巡察了该组织，请改填巡察对象编号。"
        return candidates[0]


class ProblemImportResource(resources.ModelResource):
    target_id = fields.Field(attribute=None, column_name="巡察对象编号")
    organization_code = fields.Field(attribute=None, column_name="组织编码")
    term = fields.Field(attribute=None, column_name="届次")
    number = fields.Field(attribute=None, column_name="轮次")
    category = fields.Field("category", "问题类别", widget=CategoryWidget())
    description = fields.Field("description", "问题描述", widget=TextWidget())
    source = fields.Field("source", "问题来源", widget=ChoiceLabelWidget(Problem.Source.choices))
    severity = fields.Field(
        "severity", "严重程度", widget=ChoiceLabelWidget(Problem.Severity.choices)
    )
    immediate_fix = fields.Field("immediate_fix", "立行立改", widget=BooleanLabelWidget())
    found_on = fields.Field("found_on", "发现日期", widget=ChineseDateWidget())
    status = fields.Field(
        "status",
        "问题状态",
        widget=ChoiceLabelWidget(
            [(s.value, s.label) for s in (Problem.Status.IN_REPORT, Problem.Status.FED_BACK)],
            required=False,
        ),
    )

    class Meta:
        model = Problem
        fields = (
            "target_id",
            "organization_code",
            "term",
            "number",
            "category",
            "description",
            "source",
            "severity",
            "immediate_fix",
            "found_on",
            "status",
        )
        import_id_fields = ()
        force_init_instance = True  # every row is a new problem: no lookup of an existing one
        skip_diff = True
        clean_model_instances = False  # the service validates, without a query per foreign key

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.targets = TargetFinder(user)
        self.pending: list[Problem] = []
        self.columns = {field.attribute: field.column_name for field in self.fields.values()}
        self.columns.update(target="组织编码", round="届次", team="轮次")

    def import_instance(self, instance, row, **kwargs):
        """Fill the problem from the row; any refusal is keyed by the sheet's column."""
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            instance.target = self.targets.find(row)
        except ValueError as error:
            column = "巡察对象编号" if row.get("巡察对象编号") not in (None, "") else "组织编码"
            errors[column] = [str(error)]
        if not errors:
            if not instance.status:
                instance.status = default_status(instance.target)
            try:
                problem_import_check(problem=instance, user=self.user)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(
                {self.columns.get(key, key): value for key, value in errors.items()}
            )

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("dry_run"):
            return  # the preview has checked everything the service will check
        self.pending.append(instance)
        if len(self.pending) >= SAVE_BATCH:
            self.flush()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if batch:
            problems_import(problems=batch, user=self.user)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not kwargs.get("dry_run"):
            self.flush()  # a failure here is the import's error: nothing is kept


# --- Export ---------------------------------------------------------------

PROBLEM_EXPORT_COLUMNS = [
    ("编号", 8),
    ("巡察轮次", 22),
    ("巡察组", 12),
    ("被巡察党组织", 28),
    ("组织编码", 14),
    ("问题类别", 22),
    ("问题描述", 60),
    ("问题来源", 10),
    ("严重程度", 8),
    ("立行立改", 8),
    ("状态", 10),
    ("发现日期", 12),
]


def problem_export_columns(*, with_source: bool = True) -> list[tuple[str, int]]:
    return [c for c in PROBLEM_EXPORT_COLUMNS if with_source or c[0] != "问题来源"]


def problem_export_rows(problems, *, with_source: bool = True):
    """The rows of the problem list's Excel export, for any problem queryset
    (already limited to what the user may see). Read with values_list in
    chunks, so 100,000 problems stream without building 100,000 objects."""
    labels = {
        "source": dict(Problem.Source.choices),
        "severity": dict(Problem.Severity.choices),
        "status": dict(Problem.Status.choices),
    }
    round_names: dict[int, str] = {}
    rows = problems.values_list(
        "pk",
        "round_id",
        "team__number",
        "target__organization__name",
        "target__organization__code",
        "category__name",
        "description",
        "source",
        "severity",
        "immediate_fix",
        "status",
        "found_on",
    )
    for row in rows.iterator(chunk_size=2000):
        (pk, round_id, team_number, org, code, category, text, source, severity,
         immediate, status, found_on) = row  # fmt: skip
        if round_id not in round_names:
            round_names[round_id] = Round.objects.select_related("office").get(pk=round_id).name
        row = [
            pk,
            round_names[round_id],
            f"第{chinese_number(team_number)}巡察组",
            org,
            code,
            category,
            text,
            labels["source"].get(source, source),
            labels["severity"].get(severity, severity),
            "是" if immediate else "否",
            labels["status"].get(status, status),
            found_on,
        ]
        if not with_source:
            del row[7]  # 问题来源: the unit never learns it (see selectors.sees_problem_sources)
        yield row


def _problem_import_kind() -> ImportKind:
    return ImportKind(
        "problems",
        "发现问题",
        IMPORT_COLUMNS,
        lambda user: ProblemImportResource(user=user),
        "历次巡察发现的问题。巡察对象填“巡察对象编号”，或填组织编码加届次、轮次；"
        "问题类别填编码或名称；问题状态可填“列入报告”或“已反馈”，不填时按巡察对象是否已反馈确定。",
    )


def register_import_kind() -> None:
    """Called from ``RoundsConfig.ready()``: problems come first on the import page."""
    register_kind("problems", _problem_import_kind, order=10)
