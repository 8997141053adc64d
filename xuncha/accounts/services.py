"""Accounts and roles. 三员分立: the system admin manages accounts, the security
officer grants roles; each write is audited."""

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xuncha.accounts.models import User
from xuncha.accounts.roles import ADMIN_SITE_ROLES, ROLE_PERMISSIONS, Role
from xuncha.audit.services import log_action


def ensure_role_groups() -> dict[Role, Group]:
    """Create the role groups with their model permissions (idempotent)."""
    groups = {}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in ROLE_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
        groups[role] = group
    return groups


def _sync_staff_flag(user: User, roles: set[Role]) -> None:
    # The admin site is a tool for a few duties; nobody else gets is_staff.
    user.is_staff = bool(roles & ADMIN_SITE_ROLES)


def check_role_grant(*, user: User, roles: set[Role], actor: User) -> None:
    """Raise PermissionDenied or ValidationError if ``actor`` may not give ``user`` these roles."""
    if not actor.has_role(Role.SECURITY_OFFICER) and not actor.is_superuser:
        raise PermissionDenied("只有安全保密管理员可以授予角色。")
    if actor.pk == user.pk:
        raise PermissionDenied("不能给自己授予角色。")
    admin_roles = roles & {Role.SYSADMIN, Role.SECURITY_OFFICER, Role.AUDITOR}
    if admin_roles and roles - admin_roles:
        raise ValidationError("三员账号不能同时担任业务角色。")
    if len(admin_roles) > 1:
        raise ValidationError("系统管理员、安全保密管理员、安全审计员必须由不同账号担任。")


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[Role], actor: User) -> User:
    """Only the security officer grants roles, and never to themself (三员分立)."""
    roles = set(roles)
    check_role_grant(user=user, roles=roles, actor=actor)
    before = sorted(r.value for r in user.roles)
    role_groups = Group.objects.filter(name__in=[r.value for r in Role])
    user.groups.remove(*role_groups)
    user.groups.add(*Group.objects.filter(name__in=[r.value for r in roles]))
    _sync_staff_flag(user, roles)
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("roles", None)
    log_action(
        actor, "user.roles", user, {"before": before, "after": sorted(r.value for r in roles)}
    )
    return user


@transaction.atomic
def user_create(
    *, username: str, password: str | None, actor: User | None, full_name: str = "", **links
) -> User:
    """The system admin creates accounts; roles come from the security officer."""
    user = User(username=username, full_name=full_name, **links)
    if password:
        from django.contrib.auth.password_validation import validate_password

        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    log_action(actor, "user.create", user, {"username": username})
    return user


@transaction.atomic
def user_set_clue_officer(*, user: User, enabled: bool, actor: User) -> User:
    """Clue access is granted person by person, by the security officer, to office staff."""
    if not actor.has_role(Role.SECURITY_OFFICER):
        raise PermissionDenied("只有安全保密管理员可以授予线索管理权限。")
    if enabled and not user.has_role(Role.OFFICE):
        raise ValidationError("只能向巡察办工作人员授予线索管理权限。")
    permission = Permission.objects.get(content_type__app_label="clues", codename="manage_clue")
    if enabled:
        user.user_permissions.add(permission)
    else:
        user.user_permissions.remove(permission)
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)
    log_action(actor, "user.clue_officer", user, {"enabled": enabled})
    return user
