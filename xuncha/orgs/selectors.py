"""Reads of organizations and cadres, limited to what the user may see."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from xuncha.accounts.roles import Role
from xuncha.core.choice_cache import cached_choices
from xuncha.orgs.models import Cadre, Department, Organization, Region


def organization_list(*, user, filters: dict | None = None) -> QuerySet[Organization]:
    """Office staff see the organizations of their office's reach (the city
    office all of them, a district office its district's); leadership the
    same; a unit contact only their own organization; others none."""
    filters = filters or {}
    qs = Organization.objects.select_related("region", "parent")
    if user.has_role(Role.OFFICE, Role.LEADERSHIP):
        office = user.office
        if office is not None and not office.is_city:
            qs = qs.filter(region_id=office.region_id)
    elif user.has_role(Role.UNIT_CONTACT) and user.organization_id:
        qs = qs.filter(pk=user.organization_id)
    else:
        return qs.none()
    if query := (filters.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=query) | Q(code__icontains=query))
    for field in ("region", "sector", "level", "kind"):
        if value := filters.get(field):
            qs = qs.filter(**{f"{field}_id" if field == "region" else field: value})
    return qs.order_by("code")


def cadre_list(*, user, filters: dict | None = None) -> QuerySet[Cadre]:
    """The cadre pool is the office's working file; nobody else browses it."""
    filters = filters or {}
    if not user.has_role(Role.OFFICE):
        return Cadre.objects.none()
    qs = Cadre.objects.select_related("organization").prefetch_related("specialties")
    if query := (filters.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=query) | Q(code__icontains=query))
    if filters.get("pool") == "leader":
        qs = qs.filter(in_leader_pool=True)
    elif filters.get("pool") == "talent":
        qs = qs.filter(in_talent_pool=True)
    if rank := filters.get("rank"):
        qs = qs.filter(rank=rank)
    if specialty := filters.get("specialty"):
        qs = qs.filter(specialties=specialty)
    return qs.order_by("code")


def get_organization_for_user(user, pk: int) -> Organization:
    return get_object_or_404(organization_list(user=user), pk=pk)


def get_cadre_for_user(user, pk: int) -> Cadre:
    return get_object_or_404(cadre_list(user=user), pk=pk)


def region_choices() -> list[tuple[int, str]]:
    """Every district as (id, name), for a select (kept a minute)."""
    return cached_choices("regions", "all", lambda: [(r.pk, str(r)) for r in Region.objects.all()])


def department_choices() -> list[tuple[int, str]]:
    """Every receiving department as (id, name), for a select (kept a minute)."""
    return cached_choices(
        "departments", "all", lambda: [(d.pk, str(d)) for d in Department.objects.all()]
    )
