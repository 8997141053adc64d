"""The rows of the problem and target lists, written in Python (xuncha/core/rows.py
says why). Each function writes what the list's template wrote for its rows,
attribute for attribute; tests/test_list_rows.py holds the two side by side."""

from django.db.models import QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from rounds.models import Problem, ProblemCategory, Round, Target
from rounds.selectors import category_names, round_names
from xuncha.core.rows import Names, esc, label, labels, markup, truncate, url_maker, ymd

# What the rows show: the list's select_related fetched every column of six
# tables, dates converted per row. The round's and the category's names come
# from round_names() and category_names(), not from joins (see round_names).
PROBLEM_COLUMNS = (
    *("description", "source", "severity", "immediate_fix", "status", "found_on"),
    *("round_id", "category_id", "target__organization__name", "team__number"),
)
TARGET_COLUMNS = (
    *("leader_name", "entry_date", "feedback_date", "rectification_due", "status", "round_id"),
    *("organization__name", "organization__code", "organization__region__name"),
    "team__number",
)

PROBLEM_BADGES = {
    "draft": "text-bg-light border",
    "team_review": "text-bg-info",
    "office_review": "text-bg-warning",
    "in_report": "text-bg-primary",
}
TARGET_BADGES = {
    "assigned": "text-bg-light border",
    "on_site": "text-bg-primary",
    "reporting": "text-bg-info",
    "closed": "text-bg-secondary",
}


def problems_for_rows(problems: QuerySet[Problem]) -> QuerySet[Problem]:
    return (
        problems.select_related(None)
        .select_related("target__organization", "team")
        .only(*PROBLEM_COLUMNS)
    )


def targets_for_rows(targets: QuerySet[Target]) -> QuerySet[Target]:
    return (
        targets.select_related(None)
        .select_related("organization__region", "team")
        .only(*TARGET_COLUMNS)
    )


def problem_rows(problems, *, shows_source: bool) -> SafeString:
    """``<tr>``s of the problem list (rounds/problem_list.html's table)."""
    url = url_maker("rounds:problem_detail")
    sources = labels(Problem, "source")
    severities = labels(Problem, "severity")
    statuses = labels(Problem, "status")
    immediate = f' <span class="badge text-bg-success">{esc(_("立行立改"))}</span>'
    round_name, category_name = (
        Names(round_names(), Round),
        Names(category_names(), ProblemCategory),
    )
    rounds: dict[int, str] = {}  # escaped once a page; Team.name is composed each time
    teams: dict[int, str] = {}
    rows = []
    for problem in problems:
        organization = esc(problem.target.organization.name)
        if problem.round_id not in rounds:
            rounds[problem.round_id] = esc(round_name[problem.round_id])
        if problem.team_id not in teams:
            teams[problem.team_id] = esc(problem.team.name)
        source = (
            f'<td class="d-none d-md-table-cell small">{label(sources, problem.source)}</td>\n'
            if shows_source
            else ""
        )
        grave = " text-danger fw-semibold" if problem.severity == "grave" else ""
        rows.append(
            f'<tr>\n<td><a href="{url(problem.pk)}">{esc(truncate(problem.description, 50))}</a>'
            f"{immediate if problem.immediate_fix else ''}\n"
            f'<div class="small text-muted d-md-none">{organization}</div></td>\n'
            f'<td class="d-none d-md-table-cell small">{organization}</td>\n'
            f'<td class="d-none d-lg-table-cell small">{rounds[problem.round_id]}'
            f'<div class="text-muted">{teams[problem.team_id]}</div></td>\n'
            f'<td class="d-none d-lg-table-cell small">{esc(category_name[problem.category_id])}</td>\n'
            f"{source}"
            f'<td class="small text-nowrap{grave}">{label(severities, problem.severity)}</td>\n'
            f'<td class="d-none d-md-table-cell small text-nowrap">{ymd(problem.found_on)}</td>\n'
            f'<td><span class="badge {PROBLEM_BADGES.get(problem.status, "text-bg-success")}">'
            f"{label(statuses, problem.status)}</span></td>\n</tr>"
        )
    return markup(rows)


def target_rows(targets) -> SafeString:
    """``<tr>``s of the target list (rounds/target_list.html's table)."""
    url = url_maker("rounds:target_detail")
    statuses = labels(Target, "status")
    round_name = Names(round_names(), Round)
    rounds: dict[int, str] = {}
    teams: dict[int, str] = {}
    rows = []
    for target in targets:
        organization = target.organization
        if target.round_id not in rounds:
            rounds[target.round_id] = esc(round_name[target.round_id])
        if target.team_id not in teams:
            teams[target.team_id] = esc(target.team.name)
        rows.append(
            f'<tr>\n<td><a href="{url(target.pk)}">{esc(organization.name)}</a>'
            f'<div class="small text-muted">{esc(organization.code)}</div></td>\n'
            f'<td class="small">{rounds[target.round_id]}'
            f'<div class="text-muted">{teams[target.team_id]}</div></td>\n'
            f'<td class="d-none d-md-table-cell small">{esc(organization.region or "市直")}</td>\n'
            f'<td class="d-none d-lg-table-cell small">{esc(target.leader_name or "—")}</td>\n'
            f'<td class="d-none d-md-table-cell small text-nowrap">{ymd(target.entry_date) or "—"}</td>\n'
            f'<td class="d-none d-lg-table-cell small text-nowrap">{ymd(target.feedback_date) or "—"}</td>\n'
            f'<td class="d-none d-lg-table-cell small text-nowrap">{ymd(target.rectification_due) or "—"}</td>\n'
            f'<td><span class="badge {TARGET_BADGES.get(target.status, "text-bg-success")}">'
            # The badge came from an include, its file's last newline with it.
            f"{label(statuses, target.status)}</span>\n</td>\n</tr>"
        )
    return markup(rows)
