"""Excel import of the office's past 巡察建议书 with their small ledgers.

One row per recommendation: to which department, its title and content, the
round it came from (optional: 届次 + 轮次 of the importing office, an
archived round, rounds.workflow.import_refusal), when it was issued and due,
and how far it got (已印发 → 已签收 → 已反馈 → 已办结) with the date of
each step. A recommendation is recognised by its department, title and date
of issue: the same one twice in a file, or one already in the system, is
refused. Written by rectification.services.recommendations.recommendations_import,
with its ledger dated as the old ledger dates it; the department is not
notified (it handled these long ago).
"""

import datetime

from rectification.models import Recommendation
from rectification.services.recommendations import recommendations_import
from rounds.models import Round, chinese_number
from rounds.resources import description_key
from rounds.workflow import IMPORT_RULE, import_refusal
from xuncha.imports.engine import DUPLICATE, NEW, Column, Importer, Parsed, Row, labels
from xuncha.imports.kinds import ImportKind, register_kind
from xuncha.orgs.models import Department

RS = Recommendation.Status
# The steps after issue, in the ledger's order, with the column dating each.
STEPS = ((RS.RECEIVED, "签收日期"), (RS.ANSWERED, "反馈日期"), (RS.CLOSED, "办结日期"))
ORDER = [RS.ISSUED, *(status for status, _column in STEPS)]
NEEDS_ANSWER = (RS.ANSWERED, RS.CLOSED)
STEP_NOTE = "办理状态达到该步骤时可填；不填取前一步骤的日期。"

RECOMMENDATION_COLUMNS = [
    Column("标题", True, "关于规范全市国有企业资金存放管理的巡察建议书"),
    Column("主送部门", True, "市国资委", note="承办部门的名称或编码（须已在系统中）。"),
    Column("建议内容", True, "多家国有企业存在公款存放不规范问题，建议开展专项治理。"),
    Column("届次", False, 13, note="相关巡察轮次，可不填；填写时须同时填轮次。"),
    Column("轮次", False, 1, note="该轮次须已在系统中并已归档。"),
    Column("印发日期", True, datetime.date(2025, 7, 1)),
    Column("反馈期限", True, datetime.date(2025, 9, 30)),
    Column("办理状态", False, "已办结", labels(RS.choices), note="不填为“已印发”。"),
    Column("签收日期", False, datetime.date(2025, 7, 3), note=STEP_NOTE),
    Column("反馈日期", False, datetime.date(2025, 9, 20), note=STEP_NOTE),
    Column("办结日期", False, datetime.date(2025, 10, 10), note=STEP_NOTE),
    Column(
        "落实情况",
        False,
        "已在全市国有企业开展资金存放专项治理，修订管理办法1项。",
        note="主送部门反馈的落实情况；办理状态为“已反馈”或“已办结”时须填。",
    ),
]


class RecommendationImporter(Importer):
    natural_key = "主送部门、标题和印发日期（本级巡察办的）"

    def __init__(self, user):
        super().__init__(user)
        self.office = user.office
        self.departments: dict[str, Department] = {}
        for department in Department.objects.all():
            self.departments[department.code] = department
            self.departments[department.name] = department
        self.rounds = {
            (r.term, r.number): r
            for r in Round.objects.filter(office=self.office).select_related("office")
        }
        self.today = datetime.date.today()

    def department(self, row: Row) -> Department | None:
        text = row.text("主送部门", required=True)
        found = self.departments.get(text) if text else None
        if text and found is None:
            row.refuse("主送部门", f"主送部门「{text}」不存在，请填写系统中承办部门的名称或编码。")
        return found

    def round(self, row: Row) -> Round | None:
        term, number = row.integer("届次", minimum=1), row.integer("轮次", minimum=1)
        if term is None and number is None:
            return None
        if term is None or number is None:
            row.refuse("轮次", "届次和轮次须同时填写，或都不填。")
            return None
        found = self.rounds.get((term, number))
        if found is None:
            row.refuse(
                "轮次",
                f"本级巡察办没有{chinese_number(term)}届第{chinese_number(number)}轮巡察，"
                "请先导入巡察轮次。",
            )
        elif reason := import_refusal(found):
            row.refuse("轮次", reason)
        return found

    def steps(self, row: Row, status: str, issued_at) -> list[tuple[str, datetime.date]]:
        """The ledger's steps up to the row's status, each dated; a date for a
        step not reached, or out of order, is refused."""
        reached = ORDER.index(status)
        steps = [(RS.ISSUED, issued_at)]
        for status_after, column in STEPS:
            on = row.date(column)
            if ORDER.index(status_after) > reached:
                if on is not None:
                    row.refuse(column, f"办理状态为“{RS(status).label}”，不应填写{column}。")
                continue
            on = on or steps[-1][1]
            if on and steps[-1][1] and on < steps[-1][1]:
                row.refuse(column, f"{column}不能早于前一步骤的日期（{steps[-1][1]:%Y-%m-%d}）。")
            if on and on > self.today:
                row.refuse(column, f"{column}不能晚于今天。")
            steps.append((status_after, on))
        return steps

    def parse(self, row: Row) -> Parsed | None:
        title = row.text("标题", required=True, max_length=200)
        department = self.department(row)
        content = row.text("建议内容", required=True)
        round_ = self.round(row)
        issued_at = row.date("印发日期", required=True)
        due = row.date("反馈期限", required=True)
        status = row.choice("办理状态", RS.choices, required=False) or RS.ISSUED
        if issued_at and issued_at > self.today:
            row.refuse("印发日期", "印发日期不能晚于今天。")
        if issued_at and due and due < issued_at:
            row.refuse("反馈期限", "反馈期限不能早于印发日期。")
        steps = self.steps(row, status, issued_at)
        answer = row.text("落实情况")
        if status in NEEDS_ANSWER and not answer:
            row.refuse("落实情况", "办理状态为“已反馈”或“已办结”时须填写落实情况。")
        if row.errors or department is None or not title:
            return None
        return Parsed(
            row.number,
            (department.pk, description_key(title), issued_at),
            f"{department.name}｜{title[:30]}｜{RS(status).label}",
            {
                "round": round_,
                "department": department,
                "title": title,
                "content": content,
                "issued_at": issued_at,
                "due": due,
                "status": status,
                "steps": steps,
                "answer": answer,
            },
        )

    def classify(self, rows: list[Parsed]) -> None:
        existing = {
            (department_id, description_key(title), issued_at)
            for department_id, title, issued_at in Recommendation.objects.filter(
                office=self.office, department_id__in={row.key[0] for row in rows}
            ).values_list("department_id", "title", "issued_at")
        }
        for row in rows:
            row.status = DUPLICATE if row.key in existing else NEW

    def write(self, rows: list[Parsed], *, job) -> dict:
        return recommendations_import(rows=[row.values for row in rows], user=self.user, job=job)


def _recommendation_import_kind() -> ImportKind:
    return ImportKind(
        "recommendations",
        "巡察建议书",
        RECOMMENDATION_COLUMNS,
        RecommendationImporter,
        "历年印发的巡察建议书及其办理情况：每份一行，填主送部门、标题、内容、印发日期和反馈期限，"
        "以及办理到哪一步（已印发、已签收、已反馈、已办结）和各步骤的日期，按这些日期记入办理记录；"
        "导入时不通知主送部门。" + IMPORT_RULE,
        natural_key=RecommendationImporter.natural_key,
    )


def register_recommendation_import_kind() -> None:
    """After the rectification ledgers: the last of a past term's records."""
    register_kind("recommendations", _recommendation_import_kind, order=25)
