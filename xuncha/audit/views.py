from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from xuncha.accounts.roles import Role
from xuncha.audit.forms import AuditFilterForm
from xuncha.audit.labels import action_label, describe_data, object_kind
from xuncha.audit.models import AuditEntry, AuditVerification
from xuncha.audit.redaction import is_case, redact_entry
from xuncha.audit.selectors import audit_entry_list
from xuncha.audit.services import verification_request
from xuncha.core.xlsx import list_export


@dataclass(frozen=True)
class EntryRow:
    """One entry as the auditor reads it: phrases and names, no codes or dicts."""

    entry: AuditEntry
    action: str
    actor_name: str
    object_text: str
    details: list[tuple[str, str]]

    @classmethod
    def of(cls, entry: AuditEntry) -> "EntryRow":
        actor = entry.actor
        if actor is not None:
            actor_name = actor.full_name or entry.actor_username
        else:
            actor_name = entry.actor_username
        kind = object_kind(entry.object_type) if entry.object_type else ""
        if entry.object_repr.startswith(kind):
            object_text = entry.object_repr  # a case object's repr is already kind + number
        elif is_case(entry.object_type, ""):
            # Written before entries left case content out: the stored name may
            # be a problem's description, so show the kind and id instead.
            object_text = f"{kind} #{entry.object_id}"
        elif kind:
            object_text = f"{kind}：{entry.object_repr}" if entry.object_repr else kind
        else:
            object_text = entry.object_repr
        return cls(
            entry=entry,
            action=action_label(entry.action),
            actor_name=actor_name,
            object_text=object_text,
            # Entries written before redaction began are redacted for reading.
            details=describe_data(
                entry.object_type, redact_entry(entry.object_type, entry.action, entry.data)
            ),
        )


@login_required
def entry_list(request):
    if not request.user.has_role(Role.AUDITOR):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entry_list(user=request.user, filters=filters).select_related("actor")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    rows = [EntryRow.of(entry) for entry in page]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "verification": AuditVerification.objects.first(),
    }
    return render(request, "audit/entry_list.html", context)


def _auditor_only(request) -> None:
    """三员分立: the verification is the auditor's alone; to anyone else it does not exist."""
    if not request.user.has_role(Role.AUDITOR):
        raise Http404


@login_required
def verification_start(request):
    _auditor_only(request)  # before the method check: a GET tells others nothing either
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    verification, _created = verification_request(user=request.user)
    return redirect("audit:verification_detail", pk=verification.pk)


@login_required
@require_GET
def verification_detail(request, pk: int):
    _auditor_only(request)
    verification = get_object_or_404(AuditVerification, pk=pk)
    if request.htmx:
        return render(request, "audit/_verification.html", {"verification": verification})
    return render(request, "audit/verification_detail.html", {"verification": verification})


@login_required
@require_GET
def entry_export(request):
    if not request.user.has_role(Role.AUDITOR):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entry_list(user=request.user, filters=filters).select_related("actor")
    rows = (
        [
            row.entry.pk,
            timezone.localtime(row.entry.created_at).replace(tzinfo=None),
            row.actor_name,
            row.entry.actor_username,
            row.entry.ip_address,
            row.action,
            row.entry.action,
            row.object_text,
            "；".join(f"{label}：{text}" for label, text in row.details),
        ]
        for row in map(EntryRow.of, entries.iterator(chunk_size=2000))
    )
    columns = [("编号", 8), ("时间", 19), ("操作人", 12), ("账号", 12), ("IP 地址", 15)]
    columns += [("操作", 22), ("操作代码", 18), ("对象", 26), ("内容", 50)]
    return list_export(
        request, name="审计日志", columns=columns, rows=rows, action="audit.export", filters=filters
    )
