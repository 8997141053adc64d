"""The problem list as an .xlsx download: the list's filters, the list's
selector, the columns of rounds.resources (which the bench measures too)."""

from django.utils import timezone
from django.views.decorators.http import require_GET

from rounds import selectors
from rounds.forms import ProblemFilterForm
from rounds.resources import PROBLEM_EXPORT_COLUMNS, problem_export_rows
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.core.access import role_required
from xuncha.core.xlsx import stream_xlsx


@role_required(Role.OFFICE, Role.LEADERSHIP, Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.UNIT_CONTACT)
@require_GET
def problem_export(request):
    form = ProblemFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    problems = selectors.problem_list(user=request.user, filters=filters)
    written = 0

    def rows():
        nonlocal written
        for row in problem_export_rows(problems):
            written += 1
            yield row

    response = stream_xlsx(
        f"发现问题-{timezone.localdate():%Y%m%d}.xlsx",
        [title for title, _width in PROBLEM_EXPORT_COLUMNS],
        rows(),
        title="发现问题",
        widths=[width for _title, width in PROBLEM_EXPORT_COLUMNS],
    )
    # Written once the file is complete: an export that failed left nothing to log.
    log_action(request.user, "problem.export", None, {"filters": filters, "rows": written})
    return response
