"""Writes to organizations, departments and the cadre pool."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.orgs.models import Cadre, Department, Organization


def _check_no_cycle(organization: Organization) -> None:
    seen = {organization.pk}
    parent = organization.parent
    while parent is not None:
        if parent.pk in seen:
            raise ValidationError({"parent": _("上级党组织不能是本组织或其下级组织。")})
        seen.add(parent.pk)
        parent = parent.parent


def _district_region_id(user) -> int | None:
    """The region a district office's staff are limited to; None for everyone else."""
    office = getattr(user, "office", None)
    if office is None or office.is_city or not user.has_role(Role.OFFICE):
        return None
    return office.region_id


def _check_reach(organization: Organization, user) -> None:
    # District staff keep their own district's organizations, as the pages show
    # them (selectors.organization_list); the rest of the city is not theirs to edit.
    region_id = _district_region_id(user) if user is not None else None
    if region_id is None:
        return
    stored = (
        Organization.objects.filter(pk=organization.pk).values_list("region_id", flat=True).first()
        if organization.pk
        else region_id
    )
    if organization.region_id != region_id or stored != region_id:
        raise ValidationError({"region": _("只能维护本区县（市）的党组织。")})


@transaction.atomic
def organization_import_check(organization: Organization, user) -> None:
    """What an import's check can tell of one row before anything is written:
    the district's reach and the model's own field checks."""
    _check_reach(organization, user)
    organization.clean_fields(exclude=["parent", "region", "leader_user"])


def organization_save(
    *,
    organization: Organization,
    user,
    created: bool | None = None,
    audit_extra: dict | None = None,
) -> Organization:
    """Validate and save an organization (form, admin or import), and audit it.
    ``audit_extra`` goes into the audit entry (an import's job number)."""
    if created is None:
        created = organization.pk is None
    _check_reach(organization, user)
    organization.full_clean()
    if not created:
        _check_no_cycle(organization)
    organization.save()
    log_action(
        user,
        "organization.create" if created else "organization.update",
        organization,
        {"code": organization.code, "name": organization.name, **(audit_extra or {})},
    )
    return organization


@transaction.atomic
def cadre_save(
    *, cadre: Cadre, user, created: bool | None = None, audit_extra: dict | None = None
) -> Cadre:
    if created is None:
        created = cadre.pk is None
    cadre.full_clean()
    cadre.save()
    log_action(
        user,
        "cadre.create" if created else "cadre.update",
        cadre,
        {"code": cadre.code, "organization": cadre.organization_id, **(audit_extra or {})},
    )
    return cadre


@transaction.atomic
def department_create(*, code: str, name: str, kind: str, region=None, user=None) -> Department:
    """A department comes with its own group, to which handed-over objects are granted."""
    group, _ = Group.objects.get_or_create(name=f"dept:{code}")
    department = Department(code=code, name=name, kind=kind, region=region, group=group)
    department.full_clean()
    department.save()
    log_action(user, "department.create", department, {"code": code})
    return department
