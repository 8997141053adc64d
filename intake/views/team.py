"""The team's and the office's pages: reports received through the QR code,
each read audited, and triage into a problem, a clue draft, a 转办 or a
closing. Everyone else gets a 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intake import selectors, services
from intake.forms import TRIAGE_FORMS, DuplicateForm
from intake.models import Report
from intake.workflow import TRIAGE
from xuncha.accounts.roles import Role
from xuncha.core import workflow
from xuncha.core.access import role_required
from xuncha.core.view_helpers import PAGE_SIZE, add_service_errors

READERS = (Role.OFFICE, Role.TEAM_LEADER, Role.TEAM_MEMBER)


@role_required(*READERS)
def report_list(request):
    filters = {
        "state": request.GET.get("state", ""),
        "target": request.GET.get("target", "") if request.GET.get("target", "").isdigit() else "",
    }
    if filters["state"] not in Report.State.values:
        filters["state"] = ""
    reports = selectors.report_list(user=request.user, filters=filters).prefetch_related("files")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    # Repeats are linked to their first report, not counted again.
    by_state = dict(
        selectors.report_list(user=request.user, filters={"target": filters["target"]})
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk", distinct=True))
    )
    return render(
        request,
        "intake/report_list.html",
        {
            "page": page,
            "filters": filters,
            "states": [
                (value, label, by_state.get(value, 0)) for value, label in Report.State.choices
            ],
            "counted": sum(n for state, n in by_state.items() if state != Report.State.DUPLICATE),
        },
    )


def _forms(report: Report, offers, bound: dict | None = None) -> dict:
    forms = {}
    for action, offer in offers.items():
        if not offer.allowed:
            continue
        if bound and action in bound:
            forms[action] = bound[action]
        elif action == "duplicate":
            forms[action] = DuplicateForm(report=report)
        elif action in ("problem", "clue"):
            field = "description" if action == "problem" else "summary"
            forms[action] = TRIAGE_FORMS[action](initial={field: report.text})
        else:
            forms[action] = TRIAGE_FORMS[action]()
    return forms


def _detail(request, report: Report, bound: dict | None = None, status: int = 200):
    # Every page that shows the report is a read, a refused triage form's too.
    services.report_read(report=report, user=request.user)
    offers = workflow.actions_for(TRIAGE, request.user, report)
    return render(
        request,
        "intake/report_detail.html",
        {
            "report": report,
            "files": report.files.all(),
            "repeats": report.repeats.order_by("submitted_at"),
            "offers": offers,
            "forms": _forms(report, offers, bound),
        },
        status=status,
    )


@role_required(*READERS)
def report_detail(request, pk: int):
    report = selectors.get_report_for_user(request.user, pk)
    return _detail(request, report)


@role_required(*READERS)
def report_file(request, pk: int, file_pk: int):
    report_file = selectors.get_report_file_for_user(request.user, pk, file_pk)
    services.report_read(report=report_file.report, user=request.user, file_id=report_file.pk)
    response = FileResponse(
        report_file.file.open("rb"), as_attachment=True, filename=report_file.original_name
    )
    response["Content-Type"] = report_file.content_type
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(*READERS)
@require_POST
def report_action(request, pk: int, action: str):
    report = selectors.get_report_for_user(request.user, pk)
    if action not in TRIAGE_FORMS:
        raise Http404
    user = request.user
    if not TRIAGE.rule(action).who(user, report):
        # The office reads reports; triage is the team's.
        raise PermissionDenied(_("研判由本组已签署三项承诺的成员进行。"))
    form_class = TRIAGE_FORMS[action]
    form = (
        form_class(request.POST, report=report)
        if action == "duplicate"
        else form_class(request.POST)
    )
    if not form.is_valid():
        return _detail(request, report, {action: form}, status=400)
    data = form.cleaned_data
    try:
        if action == "problem":
            result = services.report_to_problem(report=report, user=user, **data)
            messages.success(request, _("已转为问题（来源：信访），可在问题页补充和研判。"))
            return redirect(result)
        if action == "clue":
            result = services.report_to_clue(report=report, user=user, **data)
            messages.success(request, _("已转为问题线索草稿，请完善后按交接流程报送。"))
            return redirect(result)
        if action == "transfer":
            services.report_transfer(report=report, user=user, **data)
            messages.success(request, _("已转办，收到回执后请登记。"))
        elif action == "receipt":
            services.report_receipt(report=report, user=user, **data)
            messages.success(request, _("已登记转办回执。"))
        elif action == "outside":
            services.report_outside(report=report, user=user, **data)
            messages.success(request, _("已按不属于受理范围办结。"))
        else:
            services.report_duplicate(report=report, user=user, **data)
            messages.success(request, _("已关联到首次反映，不重复计数。"))
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, report, {action: form}, status=400)
    return redirect(report)
