"""The clue ledger (台账) as an .xlsx download: the ledger's own filters and
scope, and an audited event like every other read of clue content."""

from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clues import selectors
from clues.forms import ClueFilterForm
from rounds.selectors import round_list
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.core.access import role_required
from xuncha.core.xlsx import stream_xlsx

COLUMNS = [
    ("交接单编号", 16),
    ("状态", 10),
    ("直报快车道", 8),
    ("密级", 8),
    ("被巡察单位", 26),
    ("被反映人", 10),
    ("职务", 18),
    ("涉及纪律", 10),
    ("接收部门", 14),
    ("签收时间", 17),
    ("处置反馈期限", 12),
    ("首次反馈时间", 17),
]


def clue_rows(clues):
    for clue in clues.iterator(chunk_size=2000):
        yield [
            clue.number,
            clue.get_status_display(),
            "是" if clue.urgent else "",
            clue.get_confidentiality_display(),
            clue.target.organization.name,
            clue.person_name,
            clue.person_position,
            clue.get_discipline_display(),
            clue.department.name,
            timezone.localtime(clue.received_at).replace(tzinfo=None) if clue.received_at else None,
            clue.disposition_due,
            timezone.localtime(clue.feedback_at).replace(tzinfo=None) if clue.feedback_at else None,
        ]


@never_cache
@role_required(Role.OFFICE, Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.DEPARTMENT)
@require_GET
def clue_export(request):
    user = request.user
    form = ClueFilterForm(
        request.GET or None,
        rounds=round_list(user=user).prefetch_related(None),
        department_view=user.has_role(Role.DEPARTMENT) and not user.has_role(Role.OFFICE),
    )
    filters = form.filters()
    clues = selectors.clue_list(user=user, filters=filters)
    numbers = list(clues.values_list("number", flat=True))
    response = stream_xlsx(
        f"问题线索台账-{timezone.localdate():%Y%m%d}.xlsx",
        [title for title, _ in COLUMNS],
        clue_rows(clues),
        title="问题线索台账",
        widths=[width for _, width in COLUMNS],
    )
    # Which clues left the system, by number: the export is a read of each.
    log_action(user, "clue.export", None, {"filters": filters, "numbers": numbers})
    return response
