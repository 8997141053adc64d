"""The figures each team (per round) and each district office (per term) is
evaluated on, counted from what the system holds, and the weighted score and
ranking built from them.

A team's figures:
- 在驻天数: working days (Monday to Friday) from its first 进驻 to its last
  撤离, or to today while a target is still on site (the period the
  missing-log check uses, rounds.selectors.team_on_site_period);
- 日均谈话 / 日均受理信访: the interviews and petitions its daily logs record,
  over those days;
- 发现问题 and 办审核确认 (the problems the office approved into the report or
  fed back); 立行立改: the confirmed problems marked so;
- 移交线索 (approved by the office and on) and 线索立案 (those whose receiving
  department reported 立案审查调查);
- 日报及时率: the share of its working days on site before today for which the
  leader filed the log by the end of the next day;
- 报告报送及时率: of its targets' 巡察情况报告 that are due (the round's
  报告报送期限 has passed, or the report was handed in already), the share
  handed in by the leader on or before that day (the first hand-in counts; a
  corrected report does not move it). No figure while the round has no due
  date or nothing is due yet.

A district office's, for its rounds of one term: 巡察覆盖率 (organizations of
its region inspected over its active organizations), 开展轮次, 整改完成率 and
逾期整改事项 (red on the ledger today).

The score: each figure divided by the best team's (or district's), so the
best scores 1 on it (for 逾期 the fewest does), weighted by the office's
weights, out of 100.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from clues.models import Clue, Disposition
from evaluation.models import DistrictRemark, TeamRemark, WeightSet
from rectification.models import Item, ItemQuerySet
from rounds.models import Problem, Round, Target, Team, TeamReport, WorkLog
from rounds.selectors import working_days
from xuncha.orgs.models import Office, Organization


@dataclass(frozen=True)
class Figure:
    code: str
    label: str
    unit: str
    weight: int  # the default weight
    higher_is_better: bool = True
    percent: bool = False


TEAM_FIGURES = (
    Figure("days_on_site", "在驻天数", "天", 10),
    Figure("interviews_per_day", "日均谈话", "人次", 15),
    Figure("petitions_per_day", "日均受理信访", "件", 10),
    Figure("problems", "发现问题", "个", 15),
    Figure("confirmed", "办审核确认", "个", 15),
    Figure("clues", "移交线索", "条", 10),
    Figure("cases", "线索立案", "条", 10),
    Figure("immediate_fix", "立行立改", "个", 5),
    Figure("log_timeliness", "日报及时率", "%", 5, percent=True),
    Figure("report_timeliness", "报告报送及时率", "%", 5, percent=True),
)
DISTRICT_FIGURES = (
    Figure("coverage", "巡察覆盖率", "%", 30, percent=True),
    Figure("rounds", "开展轮次", "轮", 20),
    Figure("rectification_rate", "整改完成率", "%", 30, percent=True),
    Figure("overdue", "逾期整改事项", "项", 20, higher_is_better=False),
)
FIGURES = {WeightSet.Scope.TEAM: TEAM_FIGURES, WeightSet.Scope.DISTRICT: DISTRICT_FIGURES}
CONFIRMED = (Problem.Status.IN_REPORT, Problem.Status.FED_BACK)
HANDED_OVER = (Clue.Status.APPROVED, Clue.Status.RECEIVED, Clue.Status.CLOSED)


def weights_for(office: Office, scope: str) -> dict[str, int]:
    """The office's weights, the defaults for any figure it has not set."""
    stored = WeightSet.objects.filter(office=office, scope=scope).first()
    saved = stored.weights if stored else {}
    return {f.code: int(saved.get(f.code, f.weight)) for f in FIGURES[scope]}


@dataclass
class Row:
    subject: object  # the Team or the Office
    values: dict[str, float | int | None]
    score: float = 0.0
    rank: int = 0
    remark: str = ""
    extra: dict = field(default_factory=dict)


def rank(rows: list[Row], figures: tuple[Figure, ...], weights: dict[str, int]) -> list[Row]:
    """Score and rank the rows in place; returns them best first. Equal scores share a rank."""
    total_weight = sum(max(0, weights.get(f.code, 0)) for f in figures)
    best = {f.code: max((row.values[f.code] or 0 for row in rows), default=0) for f in figures}
    for row in rows:
        points = 0.0
        for f in figures:
            value, top = row.values[f.code] or 0, best[f.code]
            share = (
                (value / top if top else 0.0)
                if f.higher_is_better
                else (1 - value / top if top else 1.0)
            )
            points += max(0, weights.get(f.code, 0)) * share
        row.score = round(100 * points / total_weight, 1) if total_weight else 0.0
    rows.sort(key=lambda row: (-row.score, getattr(row.subject, "number", 0), str(row.subject)))
    previous = None
    for position, row in enumerate(rows, start=1):
        row.rank = previous.rank if previous and previous.score == row.score else position
        previous = row
    return rows


# --- teams ----------------------------------------------------------------------------


def _on_site_days(round_: Round, today: datetime.date) -> dict[int, list[datetime.date]]:
    periods = (
        Target.objects.filter(round=round_, entry_date__isnull=False)
        .values("team")
        .annotate(
            first=Min("entry_date"),
            last=Max("exit_date"),
            open=Count("pk", filter=Q(exit_date__isnull=True)),
        )
        .order_by()
    )
    days = {}
    for period in periods:
        last = today if period["open"] else min(period["last"], today)
        days[period["team"]] = working_days(period["first"], last)
    return days


def _counts_by_team(qs, **aggregates) -> dict[int, dict]:
    return {row["team"]: row for row in qs.values("team").annotate(**aggregates).order_by()}


def team_rows(round_: Round, *, today: datetime.date | None = None) -> list[Row]:
    """Every team of the round with its figures, scored and ranked by the
    round's office's weights. A fixed handful of queries, whatever the size."""
    today = today or timezone.localdate()
    teams = list(Team.objects.filter(round=round_).order_by("number"))
    days = _on_site_days(round_, today)
    logs = _counts_by_team(
        WorkLog.objects.filter(team__round=round_),
        interviews=Sum("interviews"),
        petitions=Sum("petitions"),
    )
    filed: dict[int, dict[datetime.date, datetime.datetime]] = defaultdict(dict)
    for team_id, day, filed_at in WorkLog.objects.filter(team__round=round_).values_list(
        "team_id", "date", "filed_at"
    ):
        filed[team_id][day] = filed_at
    problems = _counts_by_team(
        Problem.objects.filter(round=round_),
        total=Count("pk"),
        confirmed=Count("pk", filter=Q(status__in=CONFIRMED)),
        immediate=Count("pk", filter=Q(status__in=CONFIRMED, immediate_fix=True)),
    )
    # Per target, whether its report counts as due and whether it came on time.
    reported: dict[int, list[bool]] = defaultdict(list)
    if due := round_.report_due:
        for team_id, first in (
            Target.objects.filter(round=round_)
            .annotate(first=Min("team_reports__submitted_at"))
            .values_list("team_id", "first")
        ):
            if first is not None or due < today:
                reported[team_id].append(
                    first is not None and TeamReport.handed_in_on_time(first, due)
                )
    cases = Disposition.objects.filter(method=Disposition.Method.CASE).values("clue")
    clues = _counts_by_team(
        Clue.objects.filter(round=round_, status__in=HANDED_OVER),
        total=Count("pk"),
        cases=Count("pk", filter=Q(pk__in=cases)),
    )
    remarks = dict(TeamRemark.objects.filter(team__round=round_).values_list("team_id", "text"))
    rows = []
    for team in teams:
        on_site = days.get(team.pk, [])
        due = [day for day in on_site if day < today]
        on_time = sum(
            1
            for day in due
            if day in filed[team.pk]
            and timezone.localdate(filed[team.pk][day]) <= day + datetime.timedelta(days=1)
        )
        log = logs.get(team.pk, {})
        found = problems.get(team.pk, {})
        handed = clues.get(team.pk, {})
        n = len(on_site)
        rows.append(
            Row(
                team,
                {
                    "days_on_site": n,
                    "interviews_per_day": round((log.get("interviews") or 0) / n, 2) if n else 0,
                    "petitions_per_day": round((log.get("petitions") or 0) / n, 2) if n else 0,
                    "problems": found.get("total", 0),
                    "confirmed": found.get("confirmed", 0),
                    "clues": handed.get("total", 0),
                    "cases": handed.get("cases", 0),
                    "immediate_fix": found.get("immediate", 0),
                    "log_timeliness": round(100 * on_time / len(due), 1) if due else None,
                    "report_timeliness": (
                        round(100 * sum(reported[team.pk]) / len(reported[team.pk]), 1)
                        if reported[team.pk]
                        else None
                    ),
                },
                remark=remarks.get(team.pk, ""),
                extra={
                    "interviews": log.get("interviews") or 0,
                    "petitions": log.get("petitions") or 0,
                },
            )
        )
    return rank(rows, TEAM_FIGURES, weights_for(round_.office, WeightSet.Scope.TEAM))


# --- district offices ------------------------------------------------------------------


def district_terms() -> list[int]:
    return sorted(
        set(
            Round.objects.filter(office__level=Office.Level.DISTRICT).values_list("term", flat=True)
        ),
        reverse=True,
    )


def district_rows(term: int, *, city: Office, today: datetime.date | None = None) -> list[Row]:
    """Every district office with its figures for its rounds of one term,
    scored and ranked by the city office's weights."""
    today = today or timezone.localdate()
    offices = list(Office.objects.filter(level=Office.Level.DISTRICT).select_related("region"))
    rounds = Round.objects.filter(office__level=Office.Level.DISTRICT, term=term)
    run = dict(
        rounds.exclude(status=Round.Status.PLANNED)
        .values("office")
        .annotate(n=Count("pk"))
        .values_list("office", "n")
        .order_by()
    )
    region_size = dict(
        Organization.objects.filter(is_active=True, region__isnull=False)
        .values("region")
        .annotate(n=Count("pk"))
        .values_list("region", "n")
        .order_by()
    )
    inspected: dict[int, int] = dict(
        Target.objects.filter(round__in=rounds)
        # Coverage counts the district's own organizations (not those it
        # inspected across the border in a 交叉 round).
        .filter(organization__region=F("round__office__region"))
        .values("round__office")
        .annotate(n=Count("organization", distinct=True))
        .values_list("round__office", "n")
        .order_by()
    )
    items = (
        Item.objects.filter(round__in=rounds)
        .values("office")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=ItemQuerySet.done_q()),
            overdue=Count("pk", filter=ItemQuerySet.colour_q("red", today)),
        )
        .order_by()
    )
    items = {row["office"]: row for row in items}
    remarks = dict(DistrictRemark.objects.filter(term=term).values_list("office_id", "text"))
    rows = []
    for office in offices:
        size = region_size.get(office.region_id, 0)
        item = items.get(office.pk, {})
        total = item.get("total", 0)
        rows.append(
            Row(
                office,
                {
                    "coverage": round(100 * inspected.get(office.pk, 0) / size, 1) if size else 0,
                    "rounds": run.get(office.pk, 0),
                    "rectification_rate": round(100 * item["done"] / total, 1) if total else None,
                    "overdue": item.get("overdue", 0),
                },
                remark=remarks.get(office.pk, ""),
                extra={"inspected": inspected.get(office.pk, 0), "organizations": size},
            )
        )
    return rank(rows, DISTRICT_FIGURES, weights_for(city, WeightSet.Scope.DISTRICT))
