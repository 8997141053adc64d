"""Excel import of the office's rectification ledgers (整改台账) with their history.

One row per step of an item's ledger: the target (by id, or organization code
+ term + number), the problem (by its number in the system, or its exact
description at that target), the three lists, and the state the item reached
on a date (台账日期). An item whose history has several steps takes several
rows, in any order: they are written as ledger entries dated as the old
ledger dates them (an item closed in 2022 is closed in 2022), and the item
keeps the three lists and the state of its latest row. A row is recognised by
its problem, state and date: the same step twice in a file is refused, and an
item whose ledger is already in the system is refused (imported once).
Written by rectification.services.imports.items_import.
"""

import datetime

from django.core.exceptions import ValidationError

from rectification.models import Item
from rectification.services.imports import item_import_check, items_import
from rounds.models import Problem
from rounds.resources import TARGET_COLUMNS, TargetFinder, description_key, refuse_from
from rounds.workflow import IMPORT_RULE
from xuncha.imports.engine import DUPLICATE, NEW, Column, Importer, Parsed, Row, labels
from xuncha.imports.kinds import ImportKind, register_kind
from xuncha.orgs.models import Department

ITEM_COLUMNS = [
    *TARGET_COLUMNS,
    Column("问题编号", False, "", note="系统中的问题编号；不填时按问题描述查找。"),
    Column("问题描述", True, "违规向在职人员发放津补贴共计12.6万元。"),
    Column("整改措施", True, "清退违规发放的津补贴，修订津补贴发放管理办法。"),
    Column("整改类型", True, "限期整改", labels(Item.Kind.choices)),
    Column("责任领导", False, "周建国"),
    Column("责任人", True, "吴海涛"),
    Column("责任部门", False, "计划财务处"),
    Column("完成时限", False, datetime.date(2025, 8, 31), note="立行立改和限期整改须填。"),
    Column("台账状态", True, "整改中", labels(Item.State.choices)),
    Column(
        "台账日期",
        False,
        datetime.date(2025, 7, 15),
        note="达到该台账状态的日期；不填为导入当天。同一事项的多个状态各填一行。",
    ),
    Column("进度（%）", False, 60),
    Column("转办部门", False, "", note="台账状态为“已转办”时须填。"),
    Column("建章立制（项）", False, 1),
    Column("挽回经济损失（元）", False, 126000),
    Column("台账说明", False, "已清退大部分资金。"),
]
COLUMNS = {
    "target": "组织编码",
    "problem": "问题描述",
    "measures": "整改措施",
    "kind": "整改类型",
    "responsible_leader": "责任领导",
    "responsible_person": "责任人",
    "responsible_department": "责任部门",
    "deadline": "完成时限",
    "state": "台账状态",
    "progress": "进度（%）",
    "transferred_to": "转办部门",
    "rules_made": "建章立制（项）",
    "money_recovered": "挽回经济损失（元）",
}


class ProblemFinder:
    """The problem a row names: by number (it must be the target's), or by its
    exact description among the target's fed-back problems."""

    def __init__(self):
        self._by_description: dict[int, dict[str, list[Problem]]] = {}

    def find(self, target, row: Row) -> Problem | None:
        number = row.integer("问题编号")
        query = Problem.objects.select_related("target__organization", "target__round__office")
        if number is not None:
            problem = query.filter(pk=number).first()
            if problem is None or problem.target_id != target.pk:
                row.refuse("问题编号", f"问题编号 {number} 不是该巡察对象的问题。")
                return None
            return problem
        description = row.text("问题描述", required=True)
        if not description:
            return None
        if target.pk not in self._by_description:
            found: dict[str, list[Problem]] = {}
            for problem in query.filter(target=target, status=Problem.Status.FED_BACK):
                found.setdefault(description_key(problem.description), []).append(problem)
            self._by_description[target.pk] = found
        matches = self._by_description[target.pk].get(description_key(description), [])
        if not matches:
            row.refuse("问题描述", "该巡察对象没有描述完全相同的已反馈问题，请核对或改填问题编号。")
            return None
        if len(matches) > 1:
            row.refuse("问题描述", "该巡察对象有多个描述相同的问题，请改填问题编号。")
            return None
        return matches[0]


class ItemImporter(Importer):
    natural_key = "问题、台账状态和台账日期"

    def __init__(self, user):
        super().__init__(user)
        self.targets = TargetFinder(user)
        self.problems = ProblemFinder()
        self.departments = {d.name: d for d in Department.objects.all()}
        self.today = datetime.date.today()

    def parse(self, row: Row) -> Parsed | None:
        target = self.targets.find(row)
        problem = self.problems.find(target, row) if target is not None else None
        department_name = row.text("转办部门")
        transferred_to = self.departments.get(department_name) if department_name else None
        if department_name and transferred_to is None:
            row.refuse("转办部门", f"转办部门「{department_name}」不存在。")
        values = {
            "measures": row.text("整改措施", required=True),
            "kind": row.choice("整改类型", Item.Kind.choices),
            "responsible_leader": row.text("责任领导", max_length=50),
            "responsible_person": row.text("责任人", required=True, max_length=50),
            "responsible_department": row.text("责任部门", max_length=100),
            "deadline": row.date("完成时限"),
            "state": row.choice("台账状态", Item.State.choices),
            "transferred_to": transferred_to,
            "rules_made": row.integer("建章立制（项）", default=0),
            "money_recovered": row.money("挽回经济损失（元）"),
        }
        progress = row.integer("进度（%）")
        if progress is not None:
            values["progress"] = progress
        on = row.date("台账日期") or self.today
        if on > self.today:
            row.refuse("台账日期", "台账日期不能晚于今天。")
        if problem is None or row.errors:
            return None
        try:
            item_import_check(problem=problem, values=values, user=self.user)
        except ValidationError as error:
            refuse_from(row, error, COLUMNS)
            return None
        return Parsed(
            row.number,
            (problem.pk, values["state"], on),
            f"{problem.target.organization.name}｜{problem.description[:30]}"
            f"｜{Item.State(values['state']).label} {on:%Y-%m-%d}",
            {
                "problem": problem,
                "values": values,
                "on": on,
                "note": row.text("台账说明"),
            },
        )

    def classify(self, rows: list[Parsed]) -> None:
        """An item whose ledger is already in the system is imported once:
        every row of it is a duplicate."""
        on_ledger = set(
            Item.objects.filter(problem_id__in=[row.key[0] for row in rows])
            .exclude(state=Item.State.PLANNING, entries__isnull=True)
            .values_list("problem_id", flat=True)
        )
        for row in rows:
            row.status = DUPLICATE if row.key[0] in on_ledger else NEW

    def write(self, rows: list[Parsed], *, job) -> dict:
        return items_import(
            steps=[
                {
                    "problem": row.values["problem"],
                    "values": row.values["values"],
                    "on": row.values["on"],
                    "note": row.values["note"],
                }
                for row in rows
            ],
            user=self.user,
            job=job,
        )


def _item_import_kind() -> ImportKind:
    return ImportKind(
        "items",
        "整改台账",
        ITEM_COLUMNS,
        ItemImporter,
        "已反馈问题的整改事项及其台账历史：每个台账状态一行（如 2022-03-01 整改中、2022-06-30 "
        "已销号），按台账日期记入台账，事项取最后一行的三单内容和状态。问题填“问题编号”，"
        "或填该巡察对象已反馈问题的完整描述；整改方案尚未编制的，导入时自动建立并视为已审核通过。"
        + IMPORT_RULE,
        natural_key=ItemImporter.natural_key,
    )


def register_import_kind() -> None:
    """Called from ``RectificationConfig.ready()``."""
    register_kind("items", _item_import_kind, order=20)
    from rectification.recommendation_import import register_recommendation_import_kind

    register_recommendation_import_kind()
