"""Excel import of past rounds with their teams and targets (巡察轮次、巡察组、巡察对象).

One row per target: the round (届次, 轮次 and, the first time a round appears,
its year, kinds and dates), the team (组号) and the organization inspected,
with the target's own dates and state, and the team's people (组长, 副组长,
组员: cadres named by 干部编号 or by their name in the 干部库). A target is
recognised by the round (届次 + 轮次, of the importing office) and the
organization's code: a row whose target exists updates its dates, leader and
state (or is unchanged). Rounds and teams are created the first time a row
names them; people named for a team are added to it (never removed). An
existing round is changed only when it is archived (rounds.workflow.
import_refusal): the others are live work. The write is
rounds.services.imports.targets_import.
"""

import datetime
import re

from django.core.exceptions import ValidationError

from rounds.models import Membership, Round, RoundKind, Target, chinese_number
from rounds.services.imports import (
    people_refusal,
    targets_import,
    team_change_refusal,
    team_people_refusals,
)
from rounds.services.planning import check_target_scope
from rounds.workflow import IMPORT_RULE, import_refusal
from xuncha.imports.engine import NEW, UNCHANGED, UPDATED, Column, Importer, Parsed, Row, labels
from xuncha.imports.kinds import ImportKind, register_kind
from xuncha.orgs.models import Cadre, Organization

KIND_SEPARATORS = (",", "，", ";", "；", "/", " ")
PEOPLE_SEPARATORS = (",", "，", ";", "；", "/", " ", "\n")
PEOPLE_NOTE = (
    "干部编号或干部库中的姓名，多人用“、”分隔；同名时填干部编号或“姓名（干部编号）”。"
    "同一巡察组各行须一致，也可只在其中一行填写。"
)
# Column -> role, in the order a team is read out.
PEOPLE_COLUMNS = {
    "组长": Membership.Role.LEADER,
    "副组长": Membership.Role.DEPUTY,
    "组员": Membership.Role.MEMBER,
}
ROUND_COLUMNS = [
    Column("届次", True, 13, note="如十三届填 13。"),
    Column("轮次", True, 1),
    Column("年度", True, 2025),
    Column("巡察类型", False, "常规", note="一个或多个，用“、”分隔；不填为“常规”。"),
    Column("专项主题", False, ""),
    Column("计划开始", True, datetime.date(2025, 3, 1)),
    Column("计划结束", True, datetime.date(2025, 5, 31)),
    Column(
        "轮次状态",
        False,
        "归档",
        labels(Round.Status.choices),
        note="不填为“归档”。已在系统中的轮次未归档时不能导入；导入的轮次以后要补充整改台账等，应为“归档”。",
    ),
    Column("组号", True, 1, note="第一巡察组填 1。"),
    Column("联络员", False, ""),
    Column("组长", False, "王志强", note="一人。" + PEOPLE_NOTE),
    Column("副组长", False, "李红", note=PEOPLE_NOTE),
    Column("组员", False, "赵磊、钱芳、孙伟", note=PEOPLE_NOTE),
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
ROLE_COLUMN = {role: header for header, role in PEOPLE_COLUMNS.items()}
TARGET_FIELDS = ("team_number", "leader_name", "entry_date", "exit_date", "feedback_date", "status")


class CadreFinder:
    """A cadre as an office's sheet names one: the 干部编号 (the 干部库's key),
    a name that only one cadre in the 干部库 has, or 姓名（干部编号）.
    The 干部库 is read once per import."""

    def __init__(self):
        self._by_code: dict[str, Cadre] | None = None
        self._by_name: dict[str, list[Cadre]] = {}

    def _load(self) -> None:
        self._by_code = {}
        for cadre in Cadre.objects.only("pk", "code", "name"):
            self._by_code[cadre.code] = cadre
            self._by_name.setdefault(cadre.name, []).append(cadre)

    def find(self, text: str) -> tuple[Cadre | None, str]:
        """The cadre, or None and why not."""
        if self._by_code is None:
            self._load()
        match = re.fullmatch(r"(.+?)\s*[（(]\s*(.+?)\s*[)）]", text)
        if match:
            name, code = match.groups()
            cadre = self._by_code.get(code)
            if cadre is None:
                return None, f"干部库中没有干部编号「{code}」，请先导入干部。"
            if cadre.name != name:
                return None, f"干部编号「{code}」是{cadre.name}，不是「{name}」。"
            return cadre, ""
        cadre = self._by_code.get(text)
        if cadre is not None:
            return cadre, ""
        named = self._by_name.get(text, [])
        if len(named) == 1:
            return named[0], ""
        if named:
            return None, (
                f"干部库中有 {len(named)} 名「{text}」，请改填干部编号或“姓名（干部编号）”。"
            )
        return None, f"干部库中没有「{text}」（按干部编号或姓名查找），请先导入干部。"


def people_cells(text: str) -> list[str]:
    """The names in a people cell. A space also separates names, but not
    the one before 姓名（干部编号）'s bracket nor those inside it."""
    text = re.sub(r"\s*([（(])\s*", r"\1", text)
    text = re.sub(r"\s*([)）])", r"\1", text)
    for separator in PEOPLE_SEPARATORS:
        text = text.replace(separator, "、")
    return [name.strip() for name in text.split("、") if name.strip()]


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
        self.cadres = CadreFinder()
        # (term, number, team) -> (first row naming its people, those people)
        self.first_row_of_team: dict[tuple, tuple[int, frozenset]] = {}
        # (term, number, cadre pk) -> the team the file puts that cadre on
        self.team_of_cadre: dict[tuple, int] = {}

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

    def people(self, row: Row) -> list[tuple[str, Cadre]]:
        """The team's people this row names, as (role, cadre): unknown people,
        a second 组长 and one person in two places are refused."""
        people: list[tuple[str, Cadre]] = []
        where: dict[int, str] = {}
        for header, role in PEOPLE_COLUMNS.items():
            names = people_cells(row.text(header))
            if role == Membership.Role.LEADER and len(names) > 1:
                row.refuse(header, "每个巡察组只有一名组长，请只填一人（其他人填副组长或组员）。")
                continue
            for name in names:
                cadre, reason = self.cadres.find(name)
                if cadre is None:
                    row.refuse(header, reason)
                elif cadre.pk in where:
                    row.refuse(
                        header,
                        f"「{cadre.name}」已填在“{where[cadre.pk]}”中，同一人在一个巡察组只能有一个职务。",
                    )
                else:
                    where[cadre.pk] = header
                    people.append((role, cadre))
        return people

    def check_team(self, row: Row, term: int, number: int, team_number: int, people) -> None:
        """Rows of one team name the same people (or none); a person is on one
        team of a round."""
        if not people:
            return
        named = frozenset((role, cadre.pk) for role, cadre in people)
        first = self.first_row_of_team.setdefault((term, number, team_number), (row.number, named))
        if first[1] != named:
            row.refuse(
                "",
                f"与第 {first[0]} 行是同一巡察组（第{chinese_number(team_number)}巡察组），"
                "但组长、副组长或组员不一致；可只在其中一行填写。",
            )
            return
        for role, cadre in people:
            team = self.team_of_cadre.setdefault((term, number, cadre.pk), team_number)
            if team != team_number:
                row.refuse(
                    ROLE_COLUMN[role],
                    f"「{cadre.name}」已填在本轮第{chinese_number(team)}巡察组，"
                    "同一人在一轮巡察中只能在一个巡察组。",
                )

    def parse(self, row: Row) -> Parsed | None:
        term = row.integer("届次", required=True, minimum=1)
        number = row.integer("轮次", required=True, minimum=1)
        round_values = self.round_values(row)
        team_number = row.integer("组号", required=True, minimum=1)
        people = self.people(row)
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
        self.check_team(row, term, number, team_number, people)
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
                "people": people,
            },
        )

    def classify(self, rows: list[Parsed]) -> None:
        """New, updated or unchanged against the database, read afresh (this
        runs again under the commit's lock). A row that would change an
        existing round that is not archived is refused, as is one whose
        people clash with the round's teams as they stand."""
        rounds = {
            (r.term, r.number): r
            for r in Round.objects.filter(office=self.office).select_related("office")
        }
        existing = {
            (t.round.term, t.round.number, t.organization.code): t
            for t in Target.objects.filter(round__office=self.office)
            .filter(organization__code__in=[row.key[2] for row in rows])
            .select_related("round", "organization", "team")
        }
        in_play = [rounds[key].pk for key in {row.key[:2] for row in rows} if key in rounds]
        placed = {
            (m.round_id, m.cadre_id): m
            for m in Membership.objects.filter(round_id__in=in_play).select_related("team", "cadre")
        }
        for row in rows:
            round_ = rounds.get(row.key[:2])
            people = row.values["people"]
            if round_ is not None:
                refusals, joining = team_people_refusals(
                    round_, row.values["target"]["team_number"], people, placed
                )
            else:
                status = row.values["round"]["status"]
                reason = people_refusal(f"第{row.key[0]}届第{row.key[1]}轮", status, people)
                refusals, joining = ([reason], []) if reason else ([], people)
            target = existing.get(row.key)
            if target is not None and (
                moved := team_change_refusal(target, row.values["target"]["team_number"])
            ):
                refusals.append(moved)
            if target is None:
                row.status = NEW
            else:
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
                row.status = UNCHANGED if now == wanted and not joining else UPDATED
            reason = import_refusal(round_) if round_ is not None else ""
            if reason and row.status != UNCHANGED:
                row.refuse("轮次", reason)
            elif refusals:
                row.refuse("", "".join(refusals))

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
        "组长、副组长、组员按干部编号或姓名在干部库中查找，编入该巡察组（已在组中的人不变，"
        "导入只增加、不删除成员）。已有的巡察对象按本行更新。" + IMPORT_RULE,
        natural_key=RoundImporter.natural_key,
    )


def register_round_import_kind() -> None:
    register_kind("rounds", _round_import_kind, order=5)
