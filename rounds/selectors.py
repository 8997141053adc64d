"""Reads for the rounds app, each limited to what the user may see.

- office staff: their office's rounds (the city office: all);
- leadership: the same rounds, but problems only once fed back (figures aside);
- a team member: their own team's targets, once all three commitments are
  signed (the grant is django-guardian's, on TargetUserObjectPermission);
- a unit contact: their own organization's targets and fed-back problems;
- everyone else: nothing.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from rounds.access import office_reach_q
from rounds.models import (
    Membership,
    Problem,
    ProblemCategory,
    Round,
    Target,
    Team,
    TeamReport,
    WeeklySummary,
    WorkLog,
)
from xuncha.accounts.roles import Role
from xuncha.core.choice_cache import cached_choices, user_scope


def _member_targets_filter(user, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}targetuserobjectpermission__user": user,
            f"{prefix}targetuserobjectpermission__permission__codename": "view_target",
            f"{prefix}team__memberships__cadre__user": user,
            f"{prefix}team__memberships__commitments_completed_at__isnull": False,
        }
    )


CATEGORY_INDENT = "\u3000"  # an ideographic space: browsers keep it at the start of an option

# Newest first: year, term (届), round number, all descending; the city
# office's round before a district's of the same numbers, then by office name,
# so two offices' "第一轮" never swap places between two page loads.
ROUND_ORDER = ("-year", "-term", "-number", "office__level", "office__name", "-pk")


def round_list(*, user, filters: dict | None = None) -> QuerySet[Round]:
    filters = filters or {}
    qs = Round.objects.select_related("office").prefetch_related("kinds")
    office_scope = office_reach_q(user)
    if office_scope is not None:
        qs = qs.filter(office_scope)
    elif user.has_role(Role.TEAM_LEADER, Role.TEAM_MEMBER):
        qs = qs.filter(teams__memberships__cadre__user=user)
    else:
        return qs.none()
    if year := filters.get("year"):
        qs = qs.filter(year=year)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if kind := filters.get("kind"):
        qs = qs.filter(kinds__code=kind)
    return qs.distinct().order_by(*ROUND_ORDER)


def round_choices(*, user) -> list[tuple[int, str]]:
    """The rounds the user sees as (id, name), for a list's filter select
    (kept a minute, see xuncha.core.choice_cache)."""
    return cached_choices(
        "rounds",
        user_scope(user),
        lambda: [(r.pk, r.name) for r in round_list(user=user).prefetch_related(None)],
    )


def round_names() -> dict[int, str]:
    """Every round's name (十三届市委第一轮巡察) by id, kept a minute like the
    filter options. The lists' rows name their round from here: joining the
    rounds and their offices into the rows' query cost PostgreSQL's planner
    more than reading the rows (province bench data, EXPLAIN ANALYZE, warm:
    the department's clue rows 12.0 ms of planning for 3.6 of execution with
    seven tables, 0.9 ms with the joins left out)."""
    return dict(
        cached_choices(
            "round-names",
            "all",
            lambda: [
                (r.pk, r.name)
                for r in Round.objects.select_related("office").only(
                    "term", "number", "office__level", "office__name"
                )
            ],
        )
    )


def category_names() -> dict[int, str]:
    """Every category's own name by id (kept a minute, as round_names)."""
    return dict(
        cached_choices(
            "category-names", "all", lambda: ProblemCategory.objects.values_list("pk", "name")
        )
    )


def team_list(*, user, round_: Round | None = None) -> QuerySet[Team]:
    """The teams of one round, or of every round the user sees (for a select)."""
    if round_ is not None:
        qs = Team.objects.filter(round=round_)
    else:
        qs = Team.objects.filter(round__in=round_list(user=user).order_by()).select_related(
            "round__office"
        )
    qs = qs.prefetch_related("memberships__cadre")
    if office_reach_q(user) is not None:
        return qs
    return qs.filter(memberships__cadre__user=user)


def target_list(*, user, filters: dict | None = None) -> QuerySet[Target]:
    filters = filters or {}
    qs = Target.objects.select_related("organization__region", "team", "round__office")
    office_scope = office_reach_q(user, "round__office")
    if office_scope is not None:
        qs = qs.filter(office_scope)
    elif user.has_role(Role.TEAM_LEADER, Role.TEAM_MEMBER):
        qs = qs.filter(_member_targets_filter(user))
    elif user.has_role(Role.UNIT_CONTACT) and user.organization_id:
        qs = qs.filter(
            organization_id=user.organization_id,
            status__in=[Target.Status.FED_BACK, Target.Status.RECTIFYING, Target.Status.CLOSED],
        )
    else:
        return qs.none()
    for name in ("round", "team", "status"):
        if value := filters.get(name):
            qs = qs.filter(**{name: value})
    qs = _round_scope_filters(qs, filters, "round__")
    if region := filters.get("region"):
        qs = qs.filter(organization__region=region)
    if sector := filters.get("sector"):
        qs = qs.filter(organization__sector=sector)
    return qs.order_by("-round__year", "round_id", "team__number", "organization__code")


def _round_scope_filters(qs: QuerySet, filters: dict, prefix: str) -> QuerySet:
    """届次 and year: the dashboard's scope, passed along by its drill-down links."""
    for name in ("term", "year"):
        if value := filters.get(name):
            qs = qs.filter(**{f"{prefix}{name}": value})
    return qs


def category_tree() -> list[tuple[ProblemCategory, int]]:
    """Every active category in tree order, with its depth (0 = a focus area)."""
    categories = list(ProblemCategory.objects.filter(is_active=True).order_by("sort_order", "code"))
    children: dict[int | None, list[ProblemCategory]] = {}
    active = {c.pk for c in categories}
    for category in categories:
        parent = category.parent_id if category.parent_id in active else None
        children.setdefault(parent, []).append(category)
    ordered: list[tuple[ProblemCategory, int]] = []
    stack = [(c, 0) for c in reversed(children.get(None, []))]
    while stack:
        category, depth = stack.pop()
        ordered.append((category, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(category.pk, [])))
    return ordered


def category_choices() -> list[tuple[int, str]]:
    """The active categories in tree order as (id, name indented by depth),
    for a select (kept a minute, see xuncha.core.choice_cache)."""
    return cached_choices(
        "categories",
        "all",
        lambda: [(c.pk, CATEGORY_INDENT * depth + c.name) for c, depth in category_tree()],
    )


def category_with_descendants(category_id: int) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in ProblemCategory.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [int(category_id)]
    while stack:
        pk = stack.pop()
        found.append(pk)
        stack.extend(children.get(pk, []))
    return found


def sees_problem_sources(user) -> bool:
    """Where a problem came from (信访, 谈话...) and who found it point at people:
    the office, leadership and the teams see it; the inspected unit never does."""
    return user.has_role(Role.OFFICE, Role.LEADERSHIP, Role.TEAM_LEADER, Role.TEAM_MEMBER)


def problem_list(*, user, filters: dict | None = None) -> QuerySet[Problem]:
    filters = dict(filters or {})
    if not sees_problem_sources(user):
        # Filtering by source would reveal it just as well as showing it.
        filters.pop("source", None)
    qs = Problem.objects.select_related("target__organization", "category", "team", "round__office")
    office_scope = office_reach_q(user, "round__office")
    if user.has_role(Role.OFFICE) and office_scope is not None:
        qs = qs.filter(office_scope)
    elif user.has_role(Role.LEADERSHIP) and office_scope is not None:
        qs = qs.filter(office_scope, status=Problem.Status.FED_BACK)
    elif user.has_role(Role.TEAM_LEADER, Role.TEAM_MEMBER):
        # The member's targets first (one small query): joined into the list,
        # the grants and memberships made the database gather and sort every
        # problem of them before taking a page.
        targets = Target.objects.filter(_member_targets_filter(user)).values_list("pk", flat=True)
        qs = qs.filter(target_id__in=list(targets))
    elif user.has_role(Role.UNIT_CONTACT) and user.organization_id:
        qs = qs.filter(target__organization_id=user.organization_id, status=Problem.Status.FED_BACK)
    else:
        return qs.none()
    for name in ("round", "team", "target", "status", "source", "severity"):
        if value := filters.get(name):
            qs = qs.filter(**{name: value})
    qs = _round_scope_filters(qs, filters, "round__")
    if region := filters.get("region"):
        qs = qs.filter(target__organization__region=region)
    if sector := filters.get("sector"):
        qs = qs.filter(target__organization__sector=sector)
    if category := filters.get("category"):
        qs = qs.filter(category_id__in=category_with_descendants(category))
    if filters.get("immediate_fix") in (True, "1", "true", "yes"):
        qs = qs.filter(immediate_fix=True)
    if query := (filters.get("q") or "").strip():
        qs = qs.filter(description__icontains=query)
    return qs.order_by("-id")


def get_round_for_user(user, pk: int) -> Round:
    return get_object_or_404(round_list(user=user), pk=pk)


def get_target_for_user(user, pk: int) -> Target:
    return get_object_or_404(target_list(user=user), pk=pk)


def get_problem_for_user(user, pk: int) -> Problem:
    return get_object_or_404(problem_list(user=user), pk=pk)


def get_team_for_user(user, pk: int) -> Team:
    """Office staff of the round's office, or a member of the team (signed or not:
    an unsigned member needs the team page to sign the commitments)."""
    team = get_object_or_404(Team.objects.select_related("round__office"), pk=pk)
    if round_list(user=user).filter(pk=team.round_id).exists() and (
        office_reach_q(user) is not None or team.memberships.filter(cadre__user=user).exists()
    ):
        return team
    raise Http404


def my_memberships(user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(cadre__user=user)
        .select_related("team__round__office")
        # The round order of round_list: a cadre's newest round first.
        .order_by("-team__round__year", "-team__round__term", "-team__round__number")
    )


def worklog_list(*, team: Team) -> QuerySet[WorkLog]:
    return team.logs.select_related("filed_by").order_by("-date")


def weekly_summary_list(*, user, filters: dict | None = None) -> QuerySet[WeeklySummary]:
    if not user.has_role(Role.OFFICE, Role.LEADERSHIP):
        return WeeklySummary.objects.none()
    rounds = round_list(user=user)
    qs = WeeklySummary.objects.filter(round__in=rounds).select_related("round__office")
    if round_id := (filters or {}).get("round"):
        qs = qs.filter(round_id=round_id)
    return qs.order_by("-week_start", "round_id")


def sees_team_workings(user, team: Team) -> bool:
    """The team's own records (work logs, members' commitments): office staff and
    leadership of the round's office, and members who have signed all three
    commitments. Call after get_team_for_user, which has checked the scope."""
    if office_reach_q(user) is not None:
        return True
    return team.memberships.filter(
        cadre__user=user, commitments_completed_at__isnull=False
    ).exists()


def sees_problem_workings(user, problem: Problem) -> bool:
    """Who found it, its review history and its attachments (interview notes,
    documents): the office that runs the round and the team, not the unit
    and not leadership, who see the problem as fed back."""
    if user.has_role(Role.OFFICE) and office_reach_q(user) is not None:
        return True
    return problem.team.memberships.filter(
        cadre__user=user, commitments_completed_at__isnull=False
    ).exists()


def sees_team_reports(user, target: Target) -> bool:
    """The team's 巡察情况报告: the office that runs the round and the team's
    signed members; not the unit, and not leadership (who read the office's
    documents and the figures). Call after get_target_for_user."""
    if user.has_role(Role.OFFICE) and office_reach_q(user) is not None:
        return True
    return target.team.memberships.filter(
        cadre__user=user, commitments_completed_at__isnull=False
    ).exists()


@dataclass
class TeamReportStatus:
    due: datetime.date | None
    reports: list[TeamReport]  # every hand-in, first first
    on_time: bool | None  # None: not handed in, or no due date set
    overdue: bool  # due date passed and nothing handed in

    @property
    def first(self) -> TeamReport | None:
        return self.reports[0] if self.reports else None


def team_report_status(target: Target, *, today: datetime.date | None = None) -> TeamReportStatus:
    today = today or timezone.localdate()
    reports = list(
        TeamReport.objects.filter(target=target)
        .select_related("submitted_by")
        .order_by("submitted_at", "pk")
    )
    due = target.round.report_due
    first = reports[0] if reports else None
    return TeamReportStatus(
        due=due,
        reports=reports,
        on_time=first.is_on_time(due) if first and due else None,
        overdue=bool(due and not reports and due < today),
    )


def get_team_report_for_user(user, target_pk: int, pk: int) -> TeamReport:
    target = get_target_for_user(user, target_pk)
    if not sees_team_reports(user, target):
        raise Http404
    return get_object_or_404(TeamReport.objects.filter(target=target), pk=pk)


def working_days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Monday to Friday in [first, last] (empty when last < first)."""
    days = (first + datetime.timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if day.weekday() < 5]


def team_on_site_period(team: Team) -> tuple[datetime.date, datetime.date | None] | None:
    """From the team's first 进驻 to its last 撤离 (None while a target is still
    on site); None if no target has an entry date yet."""
    row = team.targets.filter(entry_date__isnull=False).aggregate(
        first=Min("entry_date"),
        last=Max("exit_date"),
        open=Count("pk", filter=Q(exit_date__isnull=True)),
    )
    if row["first"] is None:
        return None
    return row["first"], None if row["open"] else row["last"]


def teams_missing_logs(
    *, user, start: datetime.date, end: datetime.date
) -> list[tuple[Team, list[datetime.date]]]:
    """Teams of rounds on site whose leader has not filed a log for a working
    day in [start, end] while the team was on site. Three queries in all."""
    if office_reach_q(user) is None:
        return []
    rounds = round_list(user=user).filter(status=Round.Status.ON_SITE).order_by()
    teams = list(Team.objects.filter(round__in=rounds).select_related("round__office"))
    if not teams:
        return []
    periods = {
        row["team"]: row
        for row in Target.objects.filter(team__in=teams, entry_date__isnull=False)
        .values("team")
        .annotate(
            first=Min("entry_date"),
            last=Max("exit_date"),
            open=Count("pk", filter=Q(exit_date__isnull=True)),
        )
        .order_by()
    }
    filed = set(
        WorkLog.objects.filter(team__in=teams, date__range=(start, end)).values_list(
            "team_id", "date"
        )
    )
    result = []
    for team in teams:
        period = periods.get(team.pk)
        if period is None:
            continue
        first = max(start, period["first"])
        last = end if period["open"] else min(end, period["last"])
        missing = [day for day in working_days(first, last) if (team.pk, day) not in filed]
        if missing:
            result.append((team, missing))
    return result
