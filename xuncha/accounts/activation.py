"""One-time activation of accounts that cannot sign in yet (激活码).

Seconded cadres get accounts with unusable passwords. The system admin issues
an activation: a printable code (and a link holding it) valid
``settings.ACTIVATION_DAYS`` days; with it the person sets their own password
at /accounts/activate/, signed out. Only a keyed hash of the code is stored, a
code works once, issuing a new one voids the old, and every step is audited.
"""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xuncha.accounts.models import Activation, User
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action

# No 0/O, 1/I/L: the code is read off paper and typed in.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
ATTEMPTS_PER_WINDOW = 10
WINDOW_SECONDS = 15 * 60
INVALID = gettext_noop("激活码无效、已使用或已过期，请向系统管理员重新申领。")


def normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """Keyed, so a copy of the table does not let anyone test guesses offline."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, normalise(code).encode(), hashlib.sha256).hexdigest()


def printable(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def cannot_sign_in() -> QuerySet[User]:
    """Active accounts with no usable password (Django marks those with "!")."""
    unusable = {"password__startswith": UNUSABLE_PASSWORD_PREFIX}
    return User.objects.filter(is_active=True, **unusable).order_by("username")


def activation_link(code: str) -> str:
    return reverse("accounts:activate") + f"?code={printable(code)}"


@transaction.atomic
def activation_issue(*, user: User, actor: User) -> tuple[Activation, str]:
    """The system admin issues a code; any earlier unused one stops working.
    Returns the code itself once, for printing: it is never stored."""
    if not actor.has_role(Role.SYSADMIN):
        raise PermissionDenied(_("只有系统管理员可以签发激活码。"))
    if not user.is_active:
        raise ValidationError(_("该账号已停用，不能签发激活码。"))
    now = timezone.now()
    Activation.objects.filter(user=user, used_at=None, revoked_at=None).update(revoked_at=now)
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    activation = Activation.objects.create(
        user=user,
        code_hash=code_hash(code),
        issued_by=actor,
        expires_at=now + datetime.timedelta(days=settings.ACTIVATION_DAYS),
    )
    log_action(
        actor,
        "user.activation_issue",
        user,
        {"activation": activation.pk, "days": settings.ACTIVATION_DAYS},
    )
    from xuncha.notifications.services import resolve

    resolve(awaits=[f"user:{user.pk}:activate"])
    return activation, code


def _throttle(client_key: str) -> None:
    """Guessing codes is throttled per client, like axes throttles passwords."""
    key = f"activation-attempts:{client_key}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        attempts = cache.incr(key)
    except ValueError:
        cache.set(key, 1, WINDOW_SECONDS)
        attempts = 1
    if attempts > ATTEMPTS_PER_WINDOW:
        raise ValidationError(_("尝试次数过多，请 15 分钟后再试。"))


@transaction.atomic
def activation_redeem(*, code: str, username: str, password: str, client_key: str = "") -> User:
    """The person sets their own password with the code (signed out)."""
    _throttle(client_key or "anonymous")
    now = timezone.now()
    activation = (
        Activation.objects.select_for_update()
        .select_related("user")
        .filter(code_hash=code_hash(code), used_at=None, revoked_at=None, expires_at__gt=now)
        .first()
    )
    # The same message whether the code or the username is wrong: no hint.
    if activation is None or activation.user.username != username.strip():
        raise ValidationError(_(INVALID))
    user = activation.user
    if not user.is_active:
        raise ValidationError(_(INVALID))
    validate_password(password, user)
    # Single use even under two submits at once: only the one that claims it goes on.
    if not Activation.objects.filter(pk=activation.pk, used_at=None).update(used_at=now):
        raise ValidationError(_(INVALID))
    user.set_password(password)
    user.save(update_fields=["password"])
    log_action(user, "user.activate", user, {"activation": activation.pk})
    return user


def cadre_needs_activation(user: User | None) -> None:
    """Putting a cadre on a team: if they cannot sign in, tell the system admins."""
    if user is None or user.has_usable_password():
        return
    from xuncha.notifications.services import hand_off

    hand_off(
        recipients=User.objects.filter(groups__name=Role.SYSADMIN.value, is_active=True),
        title=f"巡察组新成员 {user.full_name or user.username}（{user.username}）尚不能登录，请签发激活码",
        url=reverse("accounts:activation_list"),
        awaits=f"user:{user.pk}:activate",
    )


def activation_todo(user) -> list:
    """待办 of the system admin: accounts that cannot sign in and hold no valid code."""
    from xuncha.core.todo import Task

    if not user.has_role(Role.SYSADMIN):
        return []
    valid = Activation.objects.filter(used_at=None, revoked_at=None, expires_at__gt=timezone.now())
    waiting = cannot_sign_in().exclude(pk__in=valid.values("user_id")).count()
    return [
        Task(
            "待签发激活码的账号",
            waiting,
            reverse("accounts:activation_list"),
            "抽调干部等新账号没有密码，签发激活码后由本人设置密码。",
        )
    ]
