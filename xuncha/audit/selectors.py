from django.db.models import Q, QuerySet

from xuncha.accounts.roles import Role
from xuncha.audit.labels import ACTION_LABELS
from xuncha.audit.models import AuditEntry, WithheldContent


def audit_entry_list(*, user, filters: dict | None = None) -> QuerySet[AuditEntry]:
    """Only the security auditor reads the audit log (三员分立)."""
    if not user.has_role(Role.AUDITOR):
        return AuditEntry.objects.none()
    filters = filters or {}
    qs = AuditEntry.objects.all()
    if actor := filters.get("actor"):
        qs = qs.filter(Q(actor_username__icontains=actor) | Q(actor__full_name__icontains=actor))
    if action := filters.get("action"):
        # The auditor may type the Chinese phrase the page shows, or the code.
        codes = [code for code, label in ACTION_LABELS.items() if action in str(label)]
        qs = qs.filter(Q(action__startswith=action) | Q(action__in=codes))
    if object_type := filters.get("object_type"):
        qs = qs.filter(object_type=object_type)
    if object_id := filters.get("object_id"):
        qs = qs.filter(object_id=object_id)
    if date_from := filters.get("date_from"):
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to := filters.get("date_to"):
        qs = qs.filter(created_at__date__lte=date_to)
    return qs.order_by("-id")


def withheld_content(entries) -> dict[int, dict]:
    """The values the given entries name but do not carry, by entry id.

    For case pages only, which have already checked that the user may see the
    case these entries are about (a problem's history for its team). Never for
    the audit pages: the auditor is not cleared for case content.
    """
    ids = [entry.pk for entry in entries]
    return dict(WithheldContent.objects.filter(entry_id__in=ids).values_list("entry_id", "values"))
