"""The problem list as an .xlsx download: the list's filters, the list's
selector, the columns of rounds.resources (which the bench measures too)."""

from django.utils import timezone
from django.views.decorators.http import require_GET

from rounds import selectors
from rounds.forms import (
    ProblemFilterForm,
    RoundFilterForm,
    TargetFilterForm,
    WeeklySummaryFilterForm,
)
from rounds.resources import problem_export_columns, problem_export_rows
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.core.access import role_required
from xuncha.core.xlsx import list_export, stream_xlsx


@role_required(Role.OFFICE, Role.LEADERSHIP, Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.UNIT_CONTACT)
@require_GET
def problem_export(request):
    form = ProblemFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    problems = selectors.problem_list(user=request.user, filters=filters)
    with_source = selectors.sees_problem_sources(request.user)
    columns = problem_export_columns(with_source=with_source)
    written = 0

    def rows():
        nonlocal written
        for row in problem_export_rows(problems, with_source=with_source):
            written += 1
            yield row

    response = stream_xlsx(
        f"发现问题-{timezone.localdate():%Y%m%d}.xlsx",
        [title for title, _width in columns],
        rows(),
        title="发现问题",
        widths=[width for _title, width in columns],
    )
    # Written once the file is complete: an export that failed left nothing to log.
    log_action(request.user, "problem.export", None, {"filters": filters, "rows": written})
    return response


@role_required(Role.OFFICE, Role.LEADERSHIP, Role.TEAM_LEADER, Role.TEAM_MEMBER)
@require_GET
def round_export(request):
    form = RoundFilterForm(request.GET or None)
    filters = form.filters()
    rounds = selectors.round_list(user=request.user, filters=filters)
    rows = (
        [
            r.name,
            r.year,
            "、".join(k.name for k in r.kinds.all()),
            r.theme,
            r.get_status_display(),
            r.planned_start,
            r.planned_end,
        ]
        for r in rounds
    )
    columns = [("轮次", 30), ("年度", 8), ("类型", 16), ("专项主题", 16), ("状态", 8)]
    columns += [("计划开始", 12), ("计划结束", 12)]
    return list_export(
        request, name="巡察轮次", columns=columns, rows=rows, action="round.export", filters=filters
    )


@role_required(Role.OFFICE, Role.LEADERSHIP, Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.UNIT_CONTACT)
@require_GET
def target_export(request):
    form = TargetFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    targets = selectors.target_list(user=request.user, filters=filters)
    rows = (
        [
            t.organization.code,
            t.organization.name,
            t.round.name,
            t.team.name,
            t.leader_name,
            t.entry_date,
            t.feedback_date,
            t.rectification_due,
            t.get_status_display(),
        ]
        for t in targets.iterator(chunk_size=2000)
    )
    columns = [("组织编码", 14), ("被巡察党组织", 30), ("巡察轮次", 28), ("巡察组", 12)]
    columns += [("主要负责人", 10), ("进驻日期", 12), ("反馈日期", 12), ("整改报告期限", 12)]
    columns += [("状态", 10)]
    return list_export(
        request,
        name="巡察对象",
        columns=columns,
        rows=rows,
        action="target.export",
        filters=filters,
    )


WEEKLY_FIGURES = [
    ("interviews", "个别谈话（人次）"),
    ("documents", "调阅资料（份）"),
    ("petitions", "受理信访件（件）"),
    ("visits", "走访（次）"),
    ("site_checks", "实地踏勘（次）"),
    ("problems_found", "发现问题（个）"),
]


@role_required(Role.OFFICE, Role.LEADERSHIP)
@require_GET
def weekly_summary_export(request):
    """One row per team and week, from the stored summaries."""
    form = WeeklySummaryFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    summaries = selectors.weekly_summary_list(user=request.user, filters=filters)
    rows = (
        [
            summary.round.name,
            summary.week_start,
            team["team"],
            team["logs"],
            *[team[name] for name, _ in WEEKLY_FIGURES],
            "、".join(team["missing_days"]),
        ]
        for summary in summaries
        for team in summary.data.get("teams", [])
    )
    columns = [("巡察轮次", 28), ("周一", 12), ("巡察组", 12), ("日报（份）", 9)]
    columns += [(label, 10) for _, label in WEEKLY_FIGURES] + [("缺报日期", 30)]
    return list_export(
        request,
        name="周汇总",
        columns=columns,
        rows=rows,
        action="weekly_summary.export",
        filters=filters,
    )
