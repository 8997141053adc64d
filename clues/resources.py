"""Excel import of past clues (问题线索台账) and of the people dealt with.

Two kinds, imported in this order:

- ``clues``: one row per clue handed over in a past round, with its own
  handover number (a 2017 clue keeps its 2017 number) and the dates of its
  three signatures, and its disposition (method, date, final or not, money
  recovered) and 销号 date. Recognised by the handover number.
- ``clue_people``: one row per person dealt with in a clue's disposition and
  what they got (党纪处分, 政务处分, 组织处理, 移送司法机关), checked against the
  disposition's method (clues.workflow.OUTCOMES). Recognised by the handover
  number and the person's name.

Only office staff holding the clue permission import clues (the clue pages'
own rule). Written by clues.services.imports.
"""

import datetime

from clues.access import is_clue_officer
from clues.models import Clue, Disposition, DispositionPerson
from clues.services.imports import clue_people_import, clues_import
from clues.workflow import outcome_refusals
from rounds.access import office_manages
from rounds.models import Problem
from rounds.resources import TARGET_COLUMNS, TargetFinder
from xuncha.imports.engine import DUPLICATE, NEW, Column, Importer, Parsed, Row, labels
from xuncha.imports.kinds import ImportKind, register_kind
from xuncha.orgs.models import Department

YES_NO = ("是", "否")
OFFICER_ONLY = "只有持有线索管理权限的巡察办工作人员可以导入问题线索。"
CLUE_COLUMNS = [
    Column("交接单编号", True, "XC2017-00012", note="原交接单编号，导入后保持不变。"),
    *TARGET_COLUMNS,
    Column("被反映人", True, "王某某"),
    Column("职务", True, "财务科科长"),
    Column("职级", True, "乡科级", labels(Clue.Rank.choices)),
    Column("是否一把手", False, "否", YES_NO),
    Column("涉及纪律", True, "廉洁纪律", labels(Clue.Discipline.choices)),
    Column("线索来源", True, "信访", labels(Problem.Source.choices)),
    Column("密级", False, "秘密", labels(Clue.Confidentiality.choices), note="不填为“秘密”。"),
    Column("线索摘要", True, "反映其在工程款支付中收受好处费。"),
    Column("接收部门", True, "市纪委监委", note="接收部门的名称或编码。"),
    Column("直报快车道", False, "否", YES_NO),
    Column("组长签字日期", True, datetime.date(2017, 5, 10)),
    Column("审批日期", True, datetime.date(2017, 5, 12)),
    Column("签收日期", True, datetime.date(2017, 5, 15)),
    Column("处置方式", False, "立案审查调查", labels(Disposition.Method.choices)),
    Column("处置日期", False, datetime.date(2017, 9, 30), note="填写处置方式时须填。"),
    Column("处置完毕", False, "是", YES_NO),
    Column("挽回经济损失（元）", False, 86000),
    Column("处置情况说明", False, "经立案审查调查，给予党内警告处分。"),
    Column("销号日期", False, datetime.date(2017, 10, 20), note="须处置完毕；不填为未销号。"),
]
PEOPLE_COLUMNS = [
    Column("交接单编号", True, "XC2017-00012", note="须是已导入的问题线索。"),
    Column("姓名", True, "王某某"),
    Column("职务", False, "财务科科长"),
    Column("党纪处分", False, "警告", labels(Disposition.PartyDiscipline.choices)),
    Column("政务处分", False, "", labels(Disposition.GovernmentSanction.choices)),
    Column("组织处理", False, "", note="如诫勉、调离岗位、免职等。"),
    Column("移送司法机关", False, "否", YES_NO),
]
DATE_ORDER = [
    ("组长签字日期", "审批日期"),
    ("审批日期", "签收日期"),
    ("签收日期", "处置日期"),
    ("处置日期", "销号日期"),
]


class ClueImporter(Importer):
    natural_key = "交接单编号"

    def __init__(self, user):
        super().__init__(user)
        self.officer = is_clue_officer(user)
        self.targets = TargetFinder(user)
        self.departments: dict[str, Department] = {}
        for department in Department.objects.all():
            self.departments[department.name] = department
            self.departments[department.code] = department
        self.today = datetime.date.today()

    def parse(self, row: Row) -> Parsed | None:
        if not self.officer:
            row.refuse("", OFFICER_ONLY)
            return None
        number = row.text("交接单编号", required=True, max_length=30)
        target = self.targets.find(row)
        if target is not None and not office_manages(self.user, target.round.office):
            row.refuse("组织编码", f"{target.round.name}不属于本级巡察办，不能导入。")
        department_name = row.text("接收部门", required=True)
        department = self.departments.get(department_name)
        if department_name and department is None:
            row.refuse("接收部门", f"接收部门「{department_name}」不存在。")
        clue = {
            "number": number,
            "person_name": row.text("被反映人", required=True, max_length=50),
            "person_position": row.text("职务", required=True, max_length=100),
            "person_rank": row.choice("职级", Clue.Rank.choices),
            "person_is_top_leader": row.boolean("是否一把手"),
            "discipline": row.choice("涉及纪律", Clue.Discipline.choices),
            "source": row.choice("线索来源", Problem.Source.choices),
            "confidentiality": row.choice("密级", Clue.Confidentiality.choices, required=False)
            or Clue.Confidentiality.SECRET,
            "summary": row.text("线索摘要", required=True),
            "urgent": row.boolean("直报快车道"),
        }
        dates = {
            "组长签字日期": row.date("组长签字日期", required=True),
            "审批日期": row.date("审批日期", required=True),
            "签收日期": row.date("签收日期", required=True),
            "处置日期": row.date("处置日期"),
            "销号日期": row.date("销号日期"),
        }
        disposition = {
            "method": row.choice("处置方式", Disposition.Method.choices, required=False),
            "is_final": row.boolean("处置完毕"),
            "money_recovered": row.money("挽回经济损失（元）"),
            "note": row.text("处置情况说明"),
        }
        for earlier, later in DATE_ORDER:
            if dates[earlier] and dates[later] and dates[later] < dates[earlier]:
                row.refuse(later, f"{later}不能早于{earlier}。")
        for header, day in dates.items():
            if day and day > self.today:
                row.refuse(header, f"{header}不能晚于今天。")
        if disposition["method"] and not dates["处置日期"]:
            row.refuse("处置日期", "填写处置方式时须填写处置日期。")
        if not disposition["method"]:
            for header in ("处置日期", "处置完毕", "挽回经济损失（元）", "处置情况说明"):
                if row.raw(header) not in (None, "否", 0):
                    row.refuse(header, "未填写处置方式，不能填写处置结果。")
                    break
        if dates["销号日期"] and not disposition["is_final"]:
            row.refuse("销号日期", "处置完毕的线索才能销号。")
        if target is None or department is None or row.errors:
            return None
        return Parsed(
            row.number,
            (number,),
            # The preview shows the number and the organization, never the person.
            f"{number}｜{target.organization.name}",
            {
                "clue": clue,
                "target": target,
                "department": department,
                "dates": dates,
                "disposition": disposition if disposition["method"] else None,
            },
        )

    def classify(self, rows: list[Parsed]) -> None:
        existing = set(
            Clue.objects.filter(number__in=[row.key[0] for row in rows]).values_list(
                "number", flat=True
            )
        )
        for row in rows:
            row.status = DUPLICATE if row.key[0] in existing else NEW

    def write(self, rows: list[Parsed], *, job) -> dict:
        return clues_import(rows=[row.values for row in rows], user=self.user, job=job)


class CluePeopleImporter(Importer):
    natural_key = "交接单编号和姓名"

    def __init__(self, user):
        super().__init__(user)
        self.officer = is_clue_officer(user)
        self.clues: dict[str, Clue | None] = {}
        self.dispositions: dict[int, Disposition | None] = {}

    def disposition(self, row: Row) -> Disposition | None:
        number = row.text("交接单编号", required=True)
        if not number:
            return None
        if number not in self.clues:
            self.clues[number] = (
                Clue.objects.filter(number=number).select_related("round__office").first()
            )
        clue = self.clues[number]
        if clue is None or not office_manages(self.user, clue.round.office):
            row.refuse("交接单编号", f"交接单编号「{number}」不存在，请先导入问题线索。")
            return None
        if clue.pk not in self.dispositions:
            self.dispositions[clue.pk] = clue.dispositions.order_by("-reported_at", "-id").first()
        disposition = self.dispositions[clue.pk]
        if disposition is None:
            row.refuse("交接单编号", f"线索「{number}」还没有处置情况，不能记录处理人员。")
        return disposition

    def parse(self, row: Row) -> Parsed | None:
        if not self.officer:
            row.refuse("", OFFICER_ONLY)
            return None
        disposition = self.disposition(row)
        person = DispositionPerson(
            name=row.text("姓名", required=True, max_length=50),
            position=row.text("职务", max_length=100),
            party_discipline=row.choice(
                "党纪处分", Disposition.PartyDiscipline.choices, required=False
            ),
            government_sanction=row.choice(
                "政务处分", Disposition.GovernmentSanction.choices, required=False
            ),
            organizational_handling=row.text("组织处理", max_length=100),
            transferred_to_justice=row.boolean("移送司法机关"),
        )
        if disposition is None or row.errors:
            return None
        if not person.outcomes:
            row.refuse("", "请至少填写一项处理结果（党纪处分、政务处分、组织处理或移送司法机关）。")
        for message in outcome_refusals(disposition.method, person.outcomes):
            row.refuse("", f"{message}（线索的处置方式见问题线索台账）")
        if row.errors:
            return None
        person.disposition = disposition
        return Parsed(
            row.number,
            (disposition.clue_id, person.name),
            f"{disposition.clue.number}｜{'、'.join(_outcome_words(person))}",
            {"person": person},
        )

    def classify(self, rows: list[Parsed]) -> None:
        clue_ids = {row.key[0] for row in rows}
        existing = set(
            DispositionPerson.objects.filter(disposition__clue_id__in=clue_ids).values_list(
                "disposition__clue_id", "name"
            )
        )
        for row in rows:
            row.status = DUPLICATE if row.key in existing else NEW

    def write(self, rows: list[Parsed], *, job) -> dict:
        people = clue_people_import(
            people=[row.values["person"] for row in rows], user=self.user, job=job
        )
        return {"people": len(people)}


def _outcome_words(person: DispositionPerson) -> list[str]:
    words = []
    if person.party_discipline:
        words.append(f"党纪{person.get_party_discipline_display()}")
    if person.government_sanction:
        words.append(f"政务{person.get_government_sanction_display()}")
    if person.organizational_handling:
        words.append(person.organizational_handling)
    if person.transferred_to_justice:
        words.append("移送司法机关")
    return words


def _clue_kind() -> ImportKind:
    return ImportKind(
        "clues",
        "问题线索及处置",
        CLUE_COLUMNS,
        ClueImporter,
        "往年移交的问题线索：保留原交接单编号和三方签字日期，连同接收部门报告的处置方式、"
        "处置日期和销号日期。被处理人员及其处理结果另用“线索处理人员”模板导入。"
        "须持有线索管理权限。",
        natural_key=ClueImporter.natural_key,
    )


def _people_kind() -> ImportKind:
    return ImportKind(
        "clue_people",
        "线索处理人员",
        PEOPLE_COLUMNS,
        CluePeopleImporter,
        "问题线索处置中被处理的人员，每人一行：党纪处分、政务处分、组织处理、移送司法机关。"
        "记入该线索最近一次处置情况；党纪处分、政务处分和移送司法机关只能用于立案审查调查的线索。",
        natural_key=CluePeopleImporter.natural_key,
    )


def register_import_kinds() -> None:
    """Called from ``CluesConfig.ready()``."""
    register_kind("clues", _clue_kind, order=15)
    register_kind("clue_people", _people_kind, order=16)
