"""Accounts and roles. 三员分立: the system admin manages accounts (creates,
edits, disables, issues temporary passwords), the security officer grants roles
within roles.ROLE_GRANTERS, the auditor only reads; each write is audited with
who did what to whom."""

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xuncha.accounts.models import User
from xuncha.accounts.passwords import generate_temporary_password
from xuncha.accounts.roles import (
    ADMIN_ROLES,
    ADMIN_SITE_ROLES,
    ROLE_PERMISSIONS,
    Role,
    grantable_roles,
    granters_of,
)
from xuncha.audit.services import log_action
from xuncha.notifications.services import notify


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


def check_role_grant(*, user: User, roles: set[Role], actor: User | None) -> None:
    """Raise PermissionDenied or ValidationError if ``actor`` may not give ``user`` these roles.

    Every role added or taken away must be one the actor's duty may grant
    (roles.ROLE_GRANTERS). ``actor`` None (the deployment's issue_admin_account
    command) or a superuser stands for the handover of the first accounts."""
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("不能给自己授予角色。"))
    changed = set(roles) ^ set(user.roles)
    if actor is not None and not actor.is_superuser:
        refused = sorted(changed - grantable_roles(actor.roles), key=list(Role).index)
        if refused:
            role = refused[0]
            granters = "、".join(str(r.label) for r in granters_of(role)) or _("部署管理员")
            raise PermissionDenied(
                _("只有%(granters)s可以授予或撤销“%(role)s”角色。")
                % {"granters": granters, "role": role.label}
            )
    admin_roles = set(roles) & ADMIN_ROLES
    if user.roles & ADMIN_ROLES and set(roles) - ADMIN_ROLES:
        # An admin duty's account never turns into a case account in one step:
        # the duty is revoked first (and the other duties are told).
        raise ValidationError(_("三员账号不能直接改为业务角色，请先撤销其管理职责。"))
    if admin_roles and set(roles) - admin_roles:
        raise ValidationError(_("三员账号不能同时担任业务角色。"))
    if len(admin_roles) > 1:
        raise ValidationError(_("系统管理员、安全保密管理员、安全审计员必须由不同账号担任。"))


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[Role], actor: User | None) -> User:
    """Set ``user``'s roles within the grant matrix, never one's own (三员分立)."""
    roles = set(roles)
    check_role_grant(user=user, roles=roles, actor=actor)
    before = set(user.roles)
    role_groups = Group.objects.filter(name__in=[r.value for r in Role])
    user.groups.remove(*role_groups)
    user.groups.add(*Group.objects.filter(name__in=[r.value for r in roles]))
    _sync_staff_flag(user, roles)
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("roles", None)
    log_action(
        actor,
        "user.roles",
        user,
        {"before": sorted(r.value for r in before), "after": sorted(r.value for r in roles)},
    )
    if (before ^ roles) & ADMIN_ROLES:
        # An admin duty changed hands: the other duties hear of it at once.
        labels = "、".join(str(r.label) for r in Role if r in roles) or _("无")
        notify(
            recipients=_admin_duty_holders().exclude(pk=user.pk),
            title=_("三员角色变更：%(user)s") % {"user": user},
            body=_("%(actor)s 将 %(user)s 的角色设为：%(roles)s。如非正常工作安排，请立即核查。")
            % {"actor": actor or _("部署命令行"), "user": user, "roles": labels},
            url=reverse("admin:accounts_user_change", args=[user.pk]),
            level="yellow",
            dedupe_key=f"accounts.admin_roles:{user.pk}:{timezone.now().isoformat()}",
        )
    return user


def _admin_duty_holders():
    return User.objects.filter(
        is_active=True, groups__name__in=[r.value for r in ADMIN_ROLES]
    ).distinct()


def _security_officers():
    return User.objects.filter(is_active=True, groups__name=Role.SECURITY_OFFICER.value)


def check_account_management(*, user: User, actor: User | None) -> None:
    """The system admin keeps accounts: creates, edits, disables, resets passwords.

    Not their own (that is the change-password page) and not another admin
    duty's: resetting one would hand over its powers (三员分立). ``actor`` None
    is the deployment's command line, the only way to reset an admin duty."""
    if actor is None or actor.is_superuser:
        return
    if not actor.has_role(Role.SYSADMIN):
        raise PermissionDenied(_("只有系统管理员可以管理账号。"))
    if user.pk == actor.pk:
        raise PermissionDenied(_("不能在此管理自己的账号，请使用“修改密码”页面。"))
    if user.roles & ADMIN_ROLES:
        raise PermissionDenied(_("三员账号不能由系统管理员重置或停用。"))


def _issue_temporary_password(user: User) -> str:
    temporary = generate_temporary_password()
    user.set_password(temporary)
    user.must_change_password = True
    return temporary


@transaction.atomic
def user_create(
    *,
    username: str,
    actor: User | None,
    full_name: str = "",
    phone: str = "",
    email: str = "",
    office=None,
    organization=None,
    department=None,
) -> tuple[User, str]:
    """The system admin creates accounts with a one-time temporary password,
    to be changed at the first sign-in; roles come from the security officer.

    ``actor`` None is the deployment's command line (the first accounts)."""
    if actor is not None and not (actor.is_superuser or actor.has_role(Role.SYSADMIN)):
        raise PermissionDenied(_("只有系统管理员可以创建账号。"))
    user = User(
        username=username,
        full_name=full_name,
        phone=phone,
        email=email,
        office=office,
        organization=organization,
        department=department,
    )
    temporary = _issue_temporary_password(user)
    user.full_clean(exclude=["password"])
    user.save()
    log_action(actor, "user.create", user, {"username": username})
    return user, temporary


@transaction.atomic
def user_update(*, user: User, changed: list[str], actor: User) -> User:
    """Save the account fields the system admin edited (a validated form's instance)."""
    check_account_management(user=user, actor=actor)
    user.full_clean(exclude=["password"])
    user.save()
    log_action(actor, "user.update", user, {"changed": list(changed)})
    return user


@transaction.atomic
def user_set_active(*, user: User, active: bool, actor: User) -> User:
    """Disable (or enable again) an account; it is never deleted, so the audit log keeps its actor."""
    check_account_management(user=user, actor=actor)
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        log_action(actor, "user.enable" if active else "user.disable", user, {"active": active})
    return user


@transaction.atomic
def user_reset_password(*, user: User, actor: User | None) -> str:
    """Give ``user`` a one-time temporary password, shown once to the system admin.

    Nobody chooses another person's password: the holder must replace this one
    at the next sign-in. The person and the security officers are told, so a
    reset nobody asked for is noticed."""
    check_account_management(user=user, actor=actor)
    temporary = _issue_temporary_password(user)
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    entry = log_action(actor, "user.password_reset", user, {"temporary": True})
    notify(
        recipients=[user],
        title=_("您的登录密码已被重置"),
        body=_(
            "%(actor)s 为您重置了密码。请用临时密码登录并立即设置新密码；如非本人申请，请立即联系安全保密管理员。"
        )
        % {"actor": actor or _("部署命令行")},
        url=reverse("accounts:password_change"),
        level="yellow",
        dedupe_key=f"accounts.password_reset:{entry.pk}",
    )
    notify(
        recipients=_security_officers().exclude(pk=getattr(actor, "pk", None)),
        title=_("账号密码重置：%(user)s") % {"user": user},
        body=_("%(actor)s 重置了 %(user)s（%(username)s）的密码。")
        % {"actor": actor or _("部署命令行"), "user": user, "username": user.username},
        url=reverse("admin:accounts_user_change", args=[user.pk]),
        level="yellow",
        dedupe_key=f"accounts.password_reset:{entry.pk}",
    )
    return temporary


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """A person replaces their own password (the only way anyone chooses one)."""
    if not user.check_password(old_password):
        raise ValidationError(_("原密码不正确。"), code="password_incorrect")
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    log_action(user, "user.password_change", user, {})
    return user


@transaction.atomic
def user_set_clue_officer(*, user: User, enabled: bool, actor: User) -> User:
    """Clue access is granted person by person, by the security officer, to office staff."""
    if not actor.has_role(Role.SECURITY_OFFICER):
        raise PermissionDenied(_("只有安全保密管理员可以授予线索管理权限。"))
    if enabled and not user.has_role(Role.OFFICE):
        raise ValidationError(_("只能向巡察办工作人员授予线索管理权限。"))
    permission = Permission.objects.get(content_type__app_label="clues", codename="manage_clue")
    if enabled:
        user.user_permissions.add(permission)
    else:
        user.user_permissions.remove(permission)
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)
    log_action(actor, "user.clue_officer", user, {"enabled": enabled})
    return user


@transaction.atomic
def lockout_release(*, attempt_id: int, actor: User) -> str:
    """The security officer lifts a sign-in lock-out (account from an address)."""
    from axes.models import AccessAttempt

    if not actor.has_role(Role.SECURITY_OFFICER):
        raise PermissionDenied(_("只有安全保密管理员可以解除登录锁定。"))
    attempt = AccessAttempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None:
        raise ValidationError(_("该锁定记录已不存在（可能已解除或已过期）。"))
    if attempt.username == actor.username:
        raise PermissionDenied(_("不能解除自己账号的锁定。"))
    username, ip = attempt.username, attempt.ip_address
    attempt.delete()
    locked = User.objects.filter(username=username).first()
    log_action(
        actor,
        "user.unlock",
        locked,
        {"username": username, "ip_address": ip, "failures": attempt.failures_since_start},
    )
    return username
