"""Excel import and export of problems (发现问题).

Import: the office's historical problem ledgers, one problem per row, with
the Chinese headers of the template (PROBLEM_COLUMNS). The target is named by
its id, or by the organization's code and the round's term and number; the
category by its code or name; choices by their Chinese labels. A problem is
recognised by its target, its description and the day it was found: the same
problem twice in a file, or one already in the system, is refused. The rows are
written with one bulk insert (rounds.services.imports.problems_import).

Export: PROBLEM_EXPORT_COLUMNS and problem_export_rows() are what the problem
list's Excel export writes, so the list page and the bench use one code path.
"""

import datetime

from django.core.exceptions import ValidationError

from rounds.models import Problem, ProblemCategory, Round, Target, chinese_number
from rounds.services.imports import default_status, problem_import_check, problems_import
from xuncha.imports.engine import DUPLICATE, NEW, Column, Importer, Parsed, Row, labels
from xuncha.imports.kinds import ImportKind, register_kind

YES_NO = ("是", "否")
TARGET_COLUMNS = [
    Column(
        "巡察对象编号", False, "", note="系统中的巡察对象编号；填写后可不填组织编码、届次、轮次。"
    ),
    Column("组织编码", True, "370100-001", note="被巡察党组织的组织编码。"),
    Column("届次", True, 13, note="如十三届填 13。"),
    Column("轮次", True, 1),
]
PROBLEM_COLUMNS = [
    *TARGET_COLUMNS,
    Column("问题类别", True, "C04", note="问题类别的编码或名称。"),
    Column("问题描述", True, "违规向在职人员发放津补贴共计12.6万元。"),
    Column("问题来源", True, "谈话", labels(Problem.Source.choices)),
    Column("严重程度", True, "较重", labels(Problem.Severity.choices)),
    Column("立行立改", False, "否", YES_NO, note="不填为“否”。"),
    Column("发现日期", True, datetime.date(2025, 4, 10), note="如 2025-04-10。"),
    Column(
        "问题状态",
        False,
        "已反馈",
        labels([(s.value, s.label) for s in (Problem.Status.IN_REPORT, Problem.Status.FED_BACK)]),
        note="不填时按巡察对象是否已反馈确定。",
    ),
]
# The bench and older callers name the headers this way.
IMPORT_COLUMNS = [(c.header, c.required, c.example) for c in PROBLEM_COLUMNS]


def chinese_date(value) -> str:
    return value.isoformat() if value else ""


class TargetFinder:
    """The target a row names, by id or by organization code + term + number.
    Each key is looked up once per import."""

    def __init__(self, user):
        self.user = user
        self._cache: dict[tuple, Target | str] = {}

    def _query(self):
        return Target.objects.select_related("organization", "round__office", "team")

    def find(self, row: Row) -> Target | None:
        """The row's target, or None with the refusal recorded on the row."""
        target_id = row.integer("巡察对象编号")
        if target_id is not None:
            key: tuple = ("id", target_id)
            column = "巡察对象编号"
        else:
            if not row.has("组织编码", "届次", "轮次"):
                return None  # the missing header is reported once
            code = row.text("组织编码")
            term = row.integer("届次")
            number = row.integer("轮次")
            column = "组织编码"
            if not code or term is None or number is None:
                row.refuse(column, "请填写巡察对象编号，或同时填写组织编码、届次和轮次。")
                return None
            key = ("code", code, term, number)
        if key not in self._cache:
            self._cache[key] = self._look_up(key)
        found = self._cache[key]
        if isinstance(found, str):
            row.refuse(column, found)
            return None
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


def refuse_from(row: Row, error: ValidationError, columns: dict[str, str]) -> None:
    """A service's ValidationError (keyed by model field) as the row's refusals
    (keyed by the sheet's column)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                row.refuse(columns.get(field, ""), message)
    else:
        for message in error.messages:
            row.refuse("", message)


def description_key(text: str) -> str:
    """Descriptions compared as a person would: inner whitespace ignored."""
    return "".join(text.split())


class ProblemImporter(Importer):
    natural_key = "巡察对象、问题描述和发现日期"
    COLUMNS = {
        "target": "组织编码",
        "category": "问题类别",
        "description": "问题描述",
        "source": "问题来源",
        "severity": "严重程度",
        "immediate_fix": "立行立改",
        "found_on": "发现日期",
        "status": "问题状态",
    }

    def __init__(self, user):
        super().__init__(user)
        self.targets = TargetFinder(user)
        self.categories: dict[str, ProblemCategory] | None = None
        self.today = datetime.date.today()

    def category(self, row: Row) -> ProblemCategory | None:
        text = row.text("问题类别", required=True)
        if not text:
            return None
        if self.categories is None:
            self.categories = {}
            for category in ProblemCategory.objects.all():
                self.categories.setdefault(category.name, category)
                self.categories[category.code] = category
        found = self.categories.get(text)
        if found is None:
            row.refuse("问题类别", f"问题类别「{text}」不存在（请填写类别编码或名称）。")
        return found

    def parse(self, row: Row) -> Parsed | None:
        target = self.targets.find(row)
        problem = Problem(
            target=target,
            category=self.category(row),
            description=row.text("问题描述", required=True),
            source=row.choice("问题来源", Problem.Source.choices),
            severity=row.choice("严重程度", Problem.Severity.choices),
            immediate_fix=row.boolean("立行立改"),
            found_on=row.date("发现日期", required=True),
            status=row.choice(
                "问题状态",
                [(s.value, s.label) for s in (Problem.Status.IN_REPORT, Problem.Status.FED_BACK)],
                required=False,
            ),
        )
        if row.errors or target is None or problem.category is None:
            return None
        if not problem.status:
            problem.status = default_status(target)
        try:
            problem_import_check(problem=problem, user=self.user, today=self.today)
        except ValidationError as error:
            refuse_from(row, error, self.COLUMNS)
            return None
        problem.round_id, problem.team_id = target.round_id, target.team_id
        problem.found_by = self.user
        return Parsed(
            row.number,
            (target.pk, description_key(problem.description), problem.found_on),
            f"{target.organization.name}｜{problem.description[:40]}",
            {"problem": problem},
        )

    def classify(self, rows: list[Parsed]) -> None:
        targets = {row.key[0] for row in rows}
        existing = set()
        for chunk in _chunks(sorted(targets), 500):
            for target_id, description, found_on in Problem.objects.filter(
                target_id__in=chunk
            ).values_list("target_id", "description", "found_on"):
                existing.add((target_id, description_key(description), found_on))
        for row in rows:
            row.status = DUPLICATE if row.key in existing else NEW

    def write(self, rows: list[Parsed], *, job) -> dict:
        problems = problems_import(
            problems=[row.values["problem"] for row in rows], user=self.user, job=job
        )
        return {"problems": len(problems)}


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
    # Translated once: the labels are lazy, and a lazy label is translated
    # again every time it is read (300,000 times in a 100,000-row export).
    labels = {
        "source": {code: str(label) for code, label in Problem.Source.choices},
        "severity": {code: str(label) for code, label in Problem.Severity.choices},
        "status": {code: str(label) for code, label in Problem.Status.choices},
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
        PROBLEM_COLUMNS,
        ProblemImporter,
        "历次巡察发现的问题。巡察对象填“巡察对象编号”，或填组织编码加届次、轮次；"
        "问题类别填编码或名称；问题状态可填“列入报告”或“已反馈”，不填时按巡察对象是否已反馈确定。",
        natural_key=ProblemImporter.natural_key,
    )


def register_import_kind() -> None:
    """Called from ``RoundsConfig.ready()``: rounds, then problems, come first."""
    from rounds.round_import import register_round_import_kind

    register_round_import_kind()
    register_kind("problems", _problem_import_kind, order=10)
