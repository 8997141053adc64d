"""Reads for 码上巡察, each limited to who may see reports: the team of the
target (members who signed their commitments) and office staff in reach.
Reports are confidential: leadership, units, departments and the admin duties
see none (404), and the public only ever sees a status through its receipt."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from intake.models import Report, ReportFile
from xuncha.accounts.roles import Role


def _reach(user, prefix: str = "") -> Q | None:
    """Who sees which targets' reports: None for nobody."""
    if not user.is_authenticated:
        return None
    scopes = []
    if user.has_role(Role.OFFICE) and user.office is not None:
        scopes.append(
            Q() if user.office.is_city else Q(**{f"{prefix}round__office_id": user.office_id})
        )
    if user.has_role(Role.TEAM_LEADER, Role.TEAM_MEMBER):
        scopes.append(
            Q(
                **{
                    f"{prefix}team__memberships__cadre__user": user,
                    f"{prefix}team__memberships__commitments_completed_at__isnull": False,
                }
            )
        )
    if not scopes:
        return None
    reach = scopes[0]
    for scope in scopes[1:]:
        reach |= scope
    return reach


def report_list(*, user, filters: dict | None = None) -> QuerySet[Report]:
    filters = filters or {}
    reach = _reach(user, "target__")
    if reach is None:
        return Report.objects.none()
    qs = Report.objects.filter(reach).select_related(
        "target__organization", "target__team", "target__round"
    )
    if reach != Q():
        qs = qs.distinct()
    if state := filters.get("state"):
        qs = qs.filter(state=state)
    if target := filters.get("target"):
        qs = qs.filter(target_id=target)
    return qs.order_by("-submitted_at", "-pk")


def get_report_for_user(user, pk: int) -> Report:
    return get_object_or_404(
        report_list(user=user).select_related(
            "problem", "clue", "department", "duplicate_of", "triaged_by"
        ),
        pk=pk,
    )


def get_report_file_for_user(user, report_pk: int, file_pk: int) -> ReportFile:
    report = get_report_for_user(user, report_pk)
    return get_object_or_404(ReportFile.objects.select_related("report"), report=report, pk=file_pk)


def sees_target_reports(user, target) -> bool:
    reach = _reach(user)
    if reach is None:
        return False
    return type(target).objects.filter(reach, pk=target.pk).exists()
