from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from checklist import selectors, services
from checklist.models import ChecklistItem
from fieldwork.models import Interview
from rounds.access import office_manages
from rounds.models import RoundKind, WorkLog
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.core.view_helpers import report_error


def _office(user):
    """The office whose checklist this user defines; anyone else a 404."""
    if not user.has_role(Role.OFFICE) or user.office is None:
        raise Http404
    return user.office


@login_required
def item_list(request):
    office = _office(request.user)
    items = selectors.item_list(office=office)
    kinds = list(RoundKind.objects.all())
    by_kind = [(kind, [item for item in items if item.kind_id == kind.pk]) for kind in kinds]
    return render(
        request,
        "checklist/item_list.html",
        {
            "office": office,
            "by_kind": by_kind,
            "kinds": kinds,
            "sections": ChecklistItem.Section.choices,
            "evidences": ChecklistItem.Evidence.choices,
        },
    )


@login_required
@require_POST
def item_create(request):
    office = _office(request.user)
    kind = RoundKind.objects.filter(pk=request.POST.get("kind") or 0).first()
    try:
        if kind is None:
            raise ValidationError(_("请选择巡察类型。"))
        try:
            sort_order = int(request.POST.get("sort_order") or 0)
        except ValueError:
            raise ValidationError(_("排序须为整数。")) from None
        item = services.item_create(
            office=office,
            kind=kind,
            section=request.POST.get("section", ""),
            name=request.POST.get("name", ""),
            evidence=request.POST.get("evidence", ""),
            sort_order=max(0, min(sort_order, 32767)),
            user=request.user,
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, _("已添加清单事项「%(name)s」。") % {"name": item.name})
    return redirect("checklist:item_list")


@login_required
@require_POST
def item_toggle(request, pk: int):
    office = _office(request.user)
    item = get_object_or_404(ChecklistItem, pk=pk, office=office)
    services.item_set_active(item=item, active=not item.is_active, user=request.user)
    return redirect("checklist:item_list")


@login_required
def target_checklist(request, pk: int):
    target = selectors.get_target_for_checklist(request.user, pk)
    rows = selectors.target_rows(target)
    return render(
        request,
        "checklist/target_checklist.html",
        {
            "target": target,
            "rows": rows,
            "missing": sum(row.tick is None for row in rows),
            "logs": list(selectors.worklogs_for_ticking(target)),
            "interviews": list(selectors.interviews_for_ticking(target)[:200]),
            "may_tick": selectors.may_tick(request.user, target),
            "manages": office_manages(request.user, target.round.office),
        },
    )


@login_required
@require_POST
def tick(request, pk: int, item_pk: int):
    target = selectors.get_target_for_checklist(request.user, pk)
    item = get_object_or_404(ChecklistItem, pk=item_pk, office_id=target.round.office_id)
    worklog = None
    if log_id := request.POST.get("worklog"):
        worklog = WorkLog.objects.filter(pk=log_id if log_id.isdigit() else 0).first()
        if worklog is None:
            messages.error(request, _("所选工作日报不存在。"))
            return redirect("checklist:target", target.pk)
    interview = None
    if interview_id := request.POST.get("interview"):
        # Looked up at this target only: another team's record reads as missing.
        interview = Interview.objects.filter(
            pk=interview_id if interview_id.isdigit() else 0, target=target
        ).first()
        if interview is None:
            messages.error(request, _("所选谈话记录不存在。"))
            return redirect("checklist:target", target.pk)
    try:
        services.tick(
            target=target,
            item=item,
            user=request.user,
            worklog=worklog,
            interview=interview,
            upload=request.FILES.get("file"),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, _("已勾选「%(name)s」。") % {"name": item.name})
    return redirect("checklist:target", target.pk)


@login_required
@require_POST
def untick(request, pk: int):
    tick_ = selectors.get_tick_for_user(request.user, pk)
    try:
        services.untick(tick=tick_, user=request.user)
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, _("已撤销勾选「%(name)s」。") % {"name": tick_.item.name})
    return redirect("checklist:target", tick_.target_id)


@login_required
def tick_file(request, pk: int):
    tick_ = selectors.get_tick_for_user(request.user, pk)
    if not tick_.file:
        raise Http404
    try:
        handle = tick_.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    log_action(request.user, "checklist.download", tick_.target, {"file": tick_.original_name})
    response = FileResponse(handle, as_attachment=True, filename=tick_.original_name)
    response["Content-Type"] = tick_.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
