"""The handover's steps and what follows, each a POST. A step refused to this
person is a 403 (PermissionDenied from the service), a step out of order is a
message with the service's reason and nothing changed."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clues import selectors, services
from clues.forms import DispositionForm, PersonFormSet, ReasonForm, disposition_service_kwargs
from clues.models import Clue
from clues.views.detail import render_detail
from clues.workflow import CLUE
from xuncha.core import workflow
from xuncha.core.view_helpers import report_error


def _run(request, clue: Clue, service: Callable[..., object], done: str, **kwargs):
    try:
        service(clue=clue, user=request.user, **kwargs)
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, done)
    return redirect(clue)


def _with_reason(request, clue: Clue, service: Callable[..., object], done: str):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, _("理由：%(error)s") % {"error": error})
        return redirect(clue)
    return _run(request, clue, service, done, reason=form.cleaned_data["reason"])


@login_required
@require_POST
def clue_submit(request, pk: int):
    clue = selectors.get_clue_for_user(request.user, pk)
    return _run(request, clue, services.clue_submit, _("组长已签字，线索已报巡察办审批。"))


@login_required
@require_POST
def clue_approve(request, pk: int):
    clue = selectors.get_clue_for_user(request.user, pk)
    return _run(request, clue, services.clue_approve, _("已审批，接收部门已收到签收通知。"))


@login_required
@require_POST
def clue_return(request, pk: int):
    clue = selectors.get_clue_for_user(request.user, pk)
    return _with_reason(request, clue, services.clue_return, _("已退回巡察组修改。"))


@login_required
@require_POST
def clue_receive(request, pk: int):
    """Before its receipt a department sees only the number awaiting it; after
    it, the clue itself (a second receipt is then refused with a message)."""
    try:
        clue = selectors.get_clue_awaiting_receipt(request.user, pk)
    except Http404:
        clue = selectors.get_clue_for_user(request.user, pk)
    try:
        services.clue_receive(clue=clue, user=request.user)
    except ValidationError as error:
        report_error(request, error)
        return redirect(clue)
    messages.success(
        request, _("已签收问题线索 %(number)s，请在期限内反馈处置情况。") % {"number": clue.number}
    )
    return redirect(clue)


@login_required
@require_POST
def clue_disposition(request, pk: int):
    clue = selectors.get_clue_for_user(request.user, pk)
    try:
        # Who and when before what: a refused user learns nothing from the form.
        workflow.check(CLUE, request.user, clue, "disposition")
    except ValidationError as error:
        report_error(request, error)
        return redirect(clue)
    form = DispositionForm(request.POST)
    people = PersonFormSet(request.POST, prefix="people")
    if not (form.is_valid() and people.is_valid()):
        messages.error(request, _("请检查填写的处置情况。"))
        return render_detail(request, clue, disposition_form=form, people_formset=people)
    try:
        services.disposition_report(
            clue=clue, user=request.user, **disposition_service_kwargs(form, people)
        )
    except ValidationError as error:
        # Shown beside the form the user filled in, which keeps what was typed.
        form.add_error(None, error)
        messages.error(request, _("请检查填写的处置情况。"))
        return render_detail(request, clue, disposition_form=form, people_formset=people)
    messages.success(request, _("处置情况已报告。"))
    return redirect(clue)


@login_required
@require_POST
def clue_close(request, pk: int):
    clue = selectors.get_clue_for_user(request.user, pk)
    return _run(request, clue, services.clue_close, _("已销号。"))


@login_required
@require_POST
def clue_reopen(request, pk: int):
    clue = selectors.get_clue_for_user(request.user, pk)
    return _with_reason(request, clue, services.clue_reopen, _("线索已重新打开。"))
