"""Excel import of past rounds with their teams and targets (巡察轮次、巡察组、巡察对象).

One row per target: the round (届次, 轮次 and, the first time a round appears,
its year, kinds and dates), the team (组号) and the organization inspected,
with the target's own dates and state. A target is recognised by the round
(届次 + 轮次, of the importing office) and the organization's code: a row whose
target exists updates its dates, leader and state (or is unchanged). Rounds
and teams are created the first time a row names them. The write is
rounds.services.imports.targets_import.
"""

import datetime

from django.core.exceptions import ValidationError

from rounds.models import Round, RoundKind, Target, chinese_number
from rounds.services.imports import targets_import
from rounds.services.planning import check_target_scope
from xuncha.imports.engine import NEW, UNCHANGED, UPDATED, Column, Importer, Parsed, Row, labels
from xuncha.imports.kinds import ImportKind, register_kind
from xuncha.orgs.models import Organization

KIND_SEPARATORS = (",", "，", ";", "；", "/", " ")
ROUND_COLUMNS = [
    Column("届次", True, 13, note="如十三届填 13。"),
    Column("轮次", True, 1),
    Column("年度", True, 2025),
    Column("巡察类型", False, "常规", note="一个或多个，用“、”分隔；不填为“常规”。"),
    Column("专项主题", False, ""),
    Column("计划开始", True, datetime.date(2025, 3, 1)),
    Column("计划结束", True, datetime.date(2025, 5, 31)),
    Column("轮次状态", False, "归档", labels(Round.Status.choices), note="不填为“归档”。"),
    Column("组号", True, 1, note="第一巡察组填 1。"),
    Column("联络员", False, ""),
    Column("组织编码", True, "370100-001", note="被巡察党组织的组织编码（须已导入党组织）。"),
    Column("主要负责人", False, "周建国", note="巡察时的一把手；不填取党组织的主要负责人。"),
    Column("进驻日期", False, datetime.date(2025, 3, 10)),
    Column("撤离日期", False, datetime.date(2025, 4, 30)),
    Column("反馈日期", False, datetime.date(2025, 6, 20)),
    Column(
        "对象状态",
        False,
        "已完成",
        labels(Target.Status.choices),
        note="不填时：有反馈日期为“已反馈”，否则为“待进驻”。",
    ),
]
TARGET_FIELDS = ("team_number", "leader_name", "entry_date", "exit_date", "feedback_date", "status")


class RoundImporter(Importer):
    updates = True
    natural_key = "届次、轮次（本级巡察办的）和组织编码"

    def __init__(self, user):
        super().__init__(user)
        self.office = user.office
        self.kinds = {kind.name: kind.code for kind in RoundKind.objects.all()}
        self.kinds.update({code: code for code in list(self.kinds.values())})
        self.organizations: dict[str, Organization | None] = {}
        self.rounds = {
            (r.term, r.number): r
            for r in Round.objects.filter(office=self.office).prefetch_related("kinds")
        }
        self.first_row_of_round: dict[tuple, tuple[int, dict]] = {}

    def organization(self, row: Row) -> Organization | None:
        code = row.text("组织编码", required=True)
        if not code:
            return None
        if code not in self.organizations:
            self.organizations[code] = (
                Organization.objects.filter(code=code).select_related("region").first()
            )
        found = self.organizations[code]
        if found is None:
            row.refuse("组织编码", f"组织编码「{code}」不存在，请先导入党组织。")
        return found

    def round_values(self, row: Row) -> dict:
        text = row.text("巡察类型") or "常规"
        for separator in KIND_SEPARATORS:
            text = text.replace(separator, "、")
        names = [name for name in text.split("、") if name]
        unknown = [name for name in names if name not in self.kinds]
        if unknown:
            row.refuse(
                "巡察类型",
                f"巡察类型「{'、'.join(unknown)}」不存在，可选：{'、'.join(sorted(self.kinds))}。",
            )
        values = {
            "year": row.integer("年度", required=True),
            "kinds": sorted({self.kinds[name] for name in names if name in self.kinds}),
            "theme": row.text("专项主题", max_length=100),
            "planned_start": row.date("计划开始", required=True),
            "planned_end": row.date("计划结束", required=True),
            "status": row.choice("轮次状态", Round.Status.choices, required=False)
            or Round.Status.ARCHIVED,
        }
        start, end = values["planned_start"], values["planned_end"]
        if start and end and end < start:
            row.refuse("计划结束", "计划结束不能早于计划开始。")
        return values

    def parse(self, row: Row) -> Parsed | None:
        term = row.integer("届次", required=True, minimum=1)
        number = row.integer("轮次", required=True, minimum=1)
        round_values = self.round_values(row)
        team_number = row.integer("组号", required=True, minimum=1)
        organization = self.organization(row)
        target = {
            "team_number": team_number,
            "liaison": row.text("联络员", max_length=50),
            "leader_name": row.text("主要负责人", max_length=50),
            "entry_date": row.date("进驻日期"),
            "exit_date": row.date("撤离日期"),
            "feedback_date": row.date("反馈日期"),
            "status": row.choice("对象状态", Target.Status.choices, required=False),
        }
        if (
            target["entry_date"]
            and target["exit_date"]
            and target["exit_date"] < target["entry_date"]
        ):
            row.refuse("撤离日期", "撤离日期不能早于进驻日期。")
        if (
            target["entry_date"]
            and target["feedback_date"]
            and target["feedback_date"] < target["entry_date"]
        ):
            row.refuse("反馈日期", "反馈日期不能早于进驻日期。")
        if term is None or number is None or organization is None or row.errors:
            return None
        if not target["status"]:
            target["status"] = (
                Target.Status.FED_BACK if target["feedback_date"] else Target.Status.ASSIGNED
            )
        if not target["leader_name"]:
            target["leader_name"] = organization.leader_name
        key = (term, number)
        existing_round = self.rounds.get(key)
        if existing_round is not None:
            if existing_round.year != round_values["year"]:
                row.refuse(
                    "年度",
                    f"{existing_round.name}已在系统中，年度为 {existing_round.year}，与本行不一致。",
                )
            kinds = {kind.code for kind in existing_round.kinds.all()}
        else:
            first = self.first_row_of_round.setdefault(key, (row.number, round_values))
            if first[1] != round_values:
                row.refuse(
                    "",
                    f"与第 {first[0]} 行是同一轮次（{chinese_number(term)}届第"
                    f"{chinese_number(number)}轮），但轮次的年度、类型、主题、日期或状态不一致。",
                )
            kinds = set(round_values["kinds"])
        try:
            check_target_scope(self.office, kinds, organization)
        except ValidationError as error:
            for message in error.messages:
                row.refuse("组织编码", message)
        if row.errors:
            return None
        return Parsed(
            row.number,
            (term, number, organization.code),
            f"{chinese_number(term)}届第{chinese_number(number)}轮"
            f"·第{chinese_number(team_number)}组｜{organization.name}",
            {
                "term": term,
                "number": number,
                "round": round_values,
                "organization": organization,
                "target": target,
            },
        )

    def classify(self, rows: list[Parsed]) -> None:
        existing = {
            (t.round.term, t.round.number, t.organization.code): t
            for t in Target.objects.filter(round__office=self.office)
            .filter(organization__code__in=[row.key[2] for row in rows])
            .select_related("round", "organization", "team")
        }
        for row in rows:
            target = existing.get(row.key)
            if target is None:
                row.status = NEW
                continue
            row.existing = target
            now = {
                "team_number": target.team.number,
                "leader_name": target.leader_name,
                "entry_date": target.entry_date,
                "exit_date": target.exit_date,
                "feedback_date": target.feedback_date,
                "status": target.status,
            }
            wanted = {name: row.values["target"][name] for name in TARGET_FIELDS}
            row.status = UNCHANGED if now == wanted else UPDATED

    def write(self, rows: list[Parsed], *, job) -> dict:
        return targets_import(
            rows=[{**row.values, "existing": row.existing, "row": row.number} for row in rows],
            user=self.user,
            job=job,
        )


def _round_import_kind() -> ImportKind:
    return ImportKind(
        "rounds",
        "巡察轮次、巡察组和巡察对象",
        ROUND_COLUMNS,
        RoundImporter,
        "每行一个巡察对象：所属轮次（届次、轮次，首次出现时建立轮次）、巡察组（组号，首次出现时建立）"
        "和被巡察党组织，以及进驻、撤离、反馈日期和状态。同一轮次各行的年度、类型、日期须一致。"
        "已有的巡察对象按本行更新。",
        natural_key=RoundImporter.natural_key,
    )


def register_round_import_kind() -> None:
    register_kind("rounds", _round_import_kind, order=5)
