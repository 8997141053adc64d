"""Excel import of the office's rectification ledgers (整改台账).

One row per fed-back problem: the target (by id, or organization code + term
+ number), the problem (by its number in the system, or its exact description
at that target), the three lists and the state on the old ledger. Each row is
written by rectification.services.imports.item_import; the preview runs the
same checks (item_import_check) and writes nothing.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from rectification.models import Item
from rectification.services.imports import ITEM_FIELDS, item_import, item_import_check
from rounds.models import Problem
from rounds.resources import ChineseDateWidget, TargetFinder, TextWidget, whole_number
from xuncha.imports.kinds import ImportKind, register_kind
from xuncha.orgs.models import Department
from xuncha.orgs.resources import ChoiceLabelWidget, LookupWidget

IMPORT_COLUMNS = [
    ("巡察对象编号", False, ""),
    ("组织编码", True, "370100-001"),
    ("届次", True, 13),
    ("轮次", True, 1),
    ("问题编号", False, ""),
    ("问题描述", True, "违规向在职人员发放津补贴共计12.6万元。"),
    ("整改措施", True, "清退违规发放的津补贴，修订津补贴发放管理办法。"),
    ("整改类型", True, "限期整改"),
    ("责任领导", False, "周建国"),
    ("责任人", True, "吴海涛"),
    ("责任部门", False, "计划财务处"),
    ("完成时限", False, datetime.date(2025, 8, 31)),
    ("台账状态", True, "整改中"),
    ("进度（%）", False, 60),
    ("转办部门", False, ""),
    ("建章立制（项）", False, 1),
    ("挽回经济损失（元）", False, 126000),
    ("台账说明", False, "已清退大部分资金。"),
]


class WholeNumberWidget(widgets.Widget):
    def __init__(self, what: str, default: int | None = 0):
        super().__init__()
        self.what, self.default = what, default

    def clean(self, value, row=None, **kwargs):
        number = whole_number(value, self.what)
        return self.default if number is None else number


class MoneyWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return Decimal("0")
        try:
            return Decimal(str(value).strip().replace(",", "")).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise ValueError(f"「{value}」不是有效金额。") from None


class ProblemFinder:
    """The problem a row names: by number (it must be the target's), or by its
    exact description among the target's fed-back problems."""

    def __init__(self):
        self._by_description: dict[int, dict[str, list[Problem]]] = {}

    def find(self, target, row) -> Problem:
        number = whole_number(row.get("问题编号"), "问题编号")
        query = Problem.objects.select_related("target__organization", "target__round__office")
        if number is not None:
            problem = query.filter(pk=number).first()
            if problem is None or problem.target_id != target.pk:
                raise ValueError(f"问题编号 {number} 不是该巡察对象的问题。")
            return problem
        description = str(row.get("问题描述") or "").strip()
        if not description:
            raise ValueError("请填写问题编号或问题描述。")
        if target.pk not in self._by_description:
            found: dict[str, list[Problem]] = {}
            for problem in query.filter(target=target, status=Problem.Status.FED_BACK):
                found.setdefault(problem.description.strip(), []).append(problem)
            self._by_description[target.pk] = found
        matches = self._by_description[target.pk].get(description, [])
        if not matches:
            raise ValueError("该巡察对象没有描述完全相同的已反馈问题，请核对或改填问题编号。")
        if len(matches) > 1:
            raise ValueError("该巡察对象有多个描述相同的问题，请改填问题编号。")
        return matches[0]


class ItemImportResource(resources.ModelResource):
    target_id = fields.Field(attribute=None, column_name="巡察对象编号")
    organization_code = fields.Field(attribute=None, column_name="组织编码")
    term = fields.Field(attribute=None, column_name="届次")
    number = fields.Field(attribute=None, column_name="轮次")
    problem_number = fields.Field(attribute=None, column_name="问题编号")
    problem_description = fields.Field(attribute=None, column_name="问题描述")
    measures = fields.Field("measures", "整改措施", widget=TextWidget())
    kind = fields.Field("kind", "整改类型", widget=ChoiceLabelWidget(Item.Kind.choices))
    responsible_leader = fields.Field("responsible_leader", "责任领导", widget=TextWidget())
    responsible_person = fields.Field("responsible_person", "责任人", widget=TextWidget())
    responsible_department = fields.Field("responsible_department", "责任部门", widget=TextWidget())
    deadline = fields.Field("deadline", "完成时限", widget=ChineseDateWidget(required=False))
    state = fields.Field("state", "台账状态", widget=ChoiceLabelWidget(Item.State.choices))
    progress = fields.Field("progress", "进度（%）", widget=WholeNumberWidget("进度", None))
    transferred_to = fields.Field(
        "transferred_to",
        "转办部门",
        widget=LookupWidget(Department, "name", what="转办部门"),
    )
    rules_made = fields.Field("rules_made", "建章立制（项）", widget=WholeNumberWidget("建章立制"))
    money_recovered = fields.Field("money_recovered", "挽回经济损失（元）", widget=MoneyWidget())
    note = fields.Field(attribute=None, column_name="台账说明")

    class Meta:
        model = Item
        fields = tuple(
            name
            for name in (
                "target_id",
                "organization_code",
                "term",
                "number",
                "problem_number",
                "problem_description",
                *ITEM_FIELDS,
                "note",
            )
            if name != "closed_at"
        )
        import_id_fields = ()
        force_init_instance = True
        skip_diff = True
        clean_model_instances = False  # item_import validates the item it writes

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.targets = TargetFinder(user)
        self.problems = ProblemFinder()
        self.columns = {field.attribute: field.column_name for field in self.fields.values()}
        self.columns.update(target="组织编码", problem="问题描述")

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        problem = None
        try:
            target = self.targets.find(row)
        except ValueError as error:
            errors["target"] = [str(error)]
        else:
            try:
                problem = self.problems.find(target, row)
            except ValueError as error:
                column = "问题编号" if row.get("问题编号") not in (None, "") else "问题描述"
                errors[column] = [str(error)]
        values = {
            name: getattr(instance, name)
            for name in ITEM_FIELDS
            if name != "closed_at" and name not in errors
        }
        if values.get("progress") is None:
            values.pop("progress", None)
        if not errors:
            try:
                item_import_check(problem=problem, values=values, user=self.user)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(
                {self.columns.get(key, key): value for key, value in errors.items()}
            )
        instance._import = (problem, values, str(row.get("台账说明") or "").strip())

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("dry_run"):
            return
        problem, values, note = instance._import
        item_import(problem=problem, values=values, note=note, user=self.user)


def _item_import_kind() -> ImportKind:
    return ImportKind(
        "items",
        "整改台账",
        IMPORT_COLUMNS,
        lambda user: ItemImportResource(user=user),
        "已反馈问题的整改事项及其台账状态。问题填“问题编号”，或填该巡察对象已反馈问题的完整描述；"
        "整改方案尚未编制的，导入时自动建立。",
    )


def register_import_kind() -> None:
    """Called from ``RectificationConfig.ready()``."""
    register_kind("items", _item_import_kind, order=20)
