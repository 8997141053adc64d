import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from xuncha.accounts.roles import Role
from xuncha.audit.forms import AuditFilterForm
from xuncha.audit.selectors import audit_entry_list
from xuncha.core.xlsx import list_export


@login_required
def entry_list(request):
    if not request.user.has_role(Role.AUDITOR):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(audit_entry_list(user=request.user, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "audit/entry_list.html", {"form": form, "page": page})


@login_required
@require_GET
def entry_export(request):
    if not request.user.has_role(Role.AUDITOR):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entry_list(user=request.user, filters=filters)
    rows = (
        [
            e.pk,
            timezone.localtime(e.created_at).replace(tzinfo=None),
            e.actor_username,
            e.ip_address,
            e.action,
            f"{e.object_type} {e.object_id}".strip(),
            e.object_repr,
            json.dumps(e.data, ensure_ascii=False),
        ]
        for e in entries.iterator(chunk_size=2000)
    )
    columns = [("编号", 8), ("时间", 19), ("操作人", 12), ("IP 地址", 15), ("操作", 22)]
    columns += [("对象", 22), ("对象名称", 24), ("内容", 50)]
    return list_export(
        request, name="审计日志", columns=columns, rows=rows, action="audit.export", filters=filters
    )
