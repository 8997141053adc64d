"""The team's 巡察情况报告: the round's due date (the office's), the leader's
hand-in at a target, and the file (served only through this module)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rounds import selectors, services
from rounds.forms import ReportDueForm, TeamReportForm
from xuncha.audit.services import log_action
from xuncha.core.view_helpers import form_errors, report_error


@login_required
@require_POST
def round_report_due(request, pk: int):
    round_ = selectors.get_round_for_user(request.user, pk)
    form = ReportDueForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(round_)
    try:
        round_ = services.round_set_report_due(
            round_=round_, report_due=form.cleaned_data["report_due"], user=request.user
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        if round_.report_due:
            messages.success(
                request,
                _("巡察报告报送期限已设为%(due)s。") % {"due": f"{round_.report_due:%Y-%m-%d}"},
            )
        else:
            messages.success(request, _("已取消巡察报告报送期限。"))
    return redirect(round_)


@login_required
@require_POST
def team_report_submit(request, pk: int):
    target = selectors.get_target_for_user(request.user, pk)
    if not selectors.sees_team_reports(request.user, target):
        raise Http404
    form = TeamReportForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(target)
    try:
        report = services.team_report_submit(
            target=target,
            upload=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
            user=request.user,
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(
            request,
            _("已报送巡察情况报告「%(name)s」，报送时间%(at)s。")
            % {"name": report.original_name, "at": f"{report.submitted_at:%Y-%m-%d %H:%M}"},
        )
    return redirect(target)


@login_required
def team_report_file(request, pk: int, report_pk: int):
    report = selectors.get_team_report_for_user(request.user, pk, report_pk)
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在。")) from None
    log_action(
        request.user,
        "team_report.download",
        report.target,
        {"report": report.pk, "file": report.original_name},
    )
    response = FileResponse(handle, as_attachment=True, filename=report.original_name)
    response["Content-Type"] = report.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
