"""The rows of the clue ledger, written in Python (xuncha/core/rows.py says why).
``clue_rows`` writes what clues/clue_list.html wrote for its rows, attribute for
attribute; tests/test_list_rows.py holds the two side by side."""

from django.db.models import QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from clues.models import Clue
from rounds.models import Round
from rounds.selectors import round_names
from xuncha.core.rows import Names, esc, label, labels, markup, url_maker, ymd
from xuncha.orgs.models import Department
from xuncha.orgs.selectors import department_choices

# What the rows show (is_overdue reads the feedback time): not the summary, the
# signatures or the other columns. The round's and the department's names come
# from cached maps, not from joins (rounds.selectors.round_names says why).
CLUE_COLUMNS = (
    *("number", "person_name", "person_position", "person_is_top_leader", "discipline"),
    *("urgent", "status", "disposition_due", "feedback_at", "round_id", "department_id"),
    *("target__organization__name", "team__number"),
)


def clues_for_rows(clues: QuerySet[Clue]) -> QuerySet[Clue]:
    return (
        clues.select_related(None)
        .select_related("target__organization", "team")
        .only(*CLUE_COLUMNS)
    )


STATUS_BADGES = {
    "draft": "text-bg-light border",
    "submitted": "text-bg-info",
    "approved": "text-bg-primary",
    "received": "text-bg-warning",
}


def clue_rows(clues) -> SafeString:
    """``<tr>``s of the clue ledger (clues/clue_list.html's table)."""
    url = url_maker("clues:clue_detail")
    disciplines = labels(Clue, "discipline")
    statuses = labels(Clue, "status")
    urgent = (
        '<span class="badge text-bg-danger" data-testid="urgent-badge"><i class="bi '
        f'bi-lightning-charge-fill" aria-hidden="true"></i> {esc(_("直报快车道"))}</span>'
    )
    top_leader = f" · {esc(_('一把手'))}"
    overdue = (
        ' <span class="badge text-bg-danger" data-testid="overdue-badge"><i class="bi bi-alarm"'
        f' aria-hidden="true"></i> {esc(_("处置逾期"))}</span>'
    )
    round_name = Names(round_names(), Round)
    department_name = Names(department_choices(), Department)
    rounds: dict[int, str] = {}  # escaped once a page; Team.name is composed each time
    teams: dict[int, str] = {}
    rows = []
    for clue in clues:
        if clue.round_id not in rounds:
            rounds[clue.round_id] = esc(round_name[clue.round_id])
        if clue.team_id not in teams:
            teams[clue.team_id] = esc(clue.team.name)
        rows.append(
            ('<tr class="table-danger">\n' if clue.urgent else "<tr>\n")
            + f'<td class="text-nowrap"><a href="{url(clue.pk)}">{esc(clue.number)}</a>'
            f"<div>{urgent if clue.urgent else ''}</div></td>\n"
            f'<td>{esc(clue.person_name)}<div class="small text-muted">{esc(clue.person_position)}'
            f"{top_leader if clue.person_is_top_leader else ''}</div></td>\n"
            f'<td class="d-none d-md-table-cell small">{label(disciplines, clue.discipline)}</td>\n'
            f'<td class="d-none d-lg-table-cell small">{esc(clue.target.organization.name)}'
            f'<div class="text-muted">{rounds[clue.round_id]}{teams[clue.team_id]}</div></td>\n'
            f'<td class="d-none d-md-table-cell small">{esc(department_name[clue.department_id])}</td>\n'
            f'<td><span class="badge {STATUS_BADGES.get(clue.status, "text-bg-success")}">'
            f"{label(statuses, clue.status)}</span>{overdue if clue.is_overdue else ''}</td>\n"
            f'<td class="text-nowrap small">{ymd(clue.disposition_due) or "—"}</td>\n</tr>'
        )
    return markup(rows)
