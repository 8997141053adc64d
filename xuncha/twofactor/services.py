"""Two-factor sign-in: enrolment, checking a code, recovery codes, and the
two-person reset of a lost authenticator. Every write is audited.

The devices are django-otp's: one ``TOTPDevice`` (the authenticator app) and
one ``StaticDevice`` holding the recovery codes. Nothing here touches the
password: a password reset, by anyone, leaves the devices in place.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.notifications.services import notify
from xuncha.twofactor.models import SecondFactorReset

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "身份验证器"
RECOVERY_NAME = "恢复码"

_TOTP_CODE = re.compile(r"^\d{6}$")
# otp_static's tokens: 8 characters of lower-case base32.
_RECOVERY_CODE = re.compile(r"^[a-z2-7]{8}$")


def normalise_code(code: str) -> str:
    """People type codes with spaces or a dash in the middle, and in capitals."""
    return re.sub(r"[\s\-]", "", code or "").lower()


def is_code_shaped(code: str) -> bool:
    code = normalise_code(code)
    return bool(_TOTP_CODE.match(code) or _RECOVERY_CODE.match(code))


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- enrolment ------------------------------------------------------------------------


@transaction.atomic
def enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator the enrolment page shows. The same one until
    it is confirmed, so reloading the page does not change the QR code."""
    if has_second_factor(user):
        raise ValidationError(_("该账号已绑定身份验证器。"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def stored_recovery_code(code: str) -> str:
    """What the database holds for a recovery code: a keyed hash cut to the 16
    characters otp_static's token column has room for (64 bits), so a copy of the
    database alone gives nobody a usable code. Rotating SECRET_KEY voids them."""
    return salted_hmac("xuncha.twofactor.recovery", normalise_code(code)).hexdigest()[:16]


def _new_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=stored_recovery_code(code)) for code in codes
    )
    return codes


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    recovery_codes: list[str]


@transaction.atomic
def enrolment_confirm(*, user: User, code: str) -> Enrolment | None:
    """Confirm the new authenticator with its first code and issue the recovery
    codes, which the caller shows once. None when the code is wrong."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None or has_second_factor(user):
        raise ValidationError(_("没有待绑定的身份验证器，请刷新页面重新开始。"))
    if not device.verify_token(normalise_code(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _new_recovery_codes(user)
    log_action(user, "otp.enrol", user, {"recovery_codes": len(codes)})
    return Enrolment(device=device, recovery_codes=codes)


# --- signing in -------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    device: Device | None  # the device that accepted the code, None when refused
    throttled: bool = False

    @property
    def used_recovery_code(self) -> bool:
        return isinstance(self.device, StaticDevice)


def verify_code(*, user: User, code: str) -> Verification:
    """Check a sign-in code: six digits against the authenticator, otherwise a
    recovery code (used up by this). Success and failure are both audited;
    the failure is committed even though the sign-in goes no further."""
    code = normalise_code(code)
    model = TOTPDevice if _TOTP_CODE.match(code) else StaticDevice
    with transaction.atomic():
        device = (
            model.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        # A throttled device refuses without looking at the code; the caller
        # still counts the attempt toward the account's lock-out.
        throttled = device is not None and not device.verify_is_allowed()[0]
        token = code if model is TOTPDevice else stored_recovery_code(code)
        accepted = device is not None and not throttled and device.verify_token(token)
        kind = "authenticator" if model is TOTPDevice else "recovery_code"
        if accepted:
            data = {"kind": kind}
            if model is StaticDevice:
                data["recovery_codes_left"] = device.token_set.count()
            log_action(user, "otp.verify", user, data)
            return Verification(device=device)
        log_action(user, "otp.failure", user, {"kind": kind, "throttled": throttled})
    return Verification(device=None, throttled=throttled)


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """New codes for old: the ones printed before stop working at once."""
    if not has_second_factor(user):
        raise ValidationError(_("请先绑定身份验证器。"))
    codes = _new_recovery_codes(user)
    log_action(user, "otp.recovery_codes", user, {"recovery_codes": len(codes)})
    return codes


# --- demo ---------------------------------------------------------------------------


@transaction.atomic
def demo_device_set(*, user: User, key_hex: str) -> bool:
    """Give a demo account a confirmed authenticator with the published demo
    secret. Returns True when something changed (so seeding twice is a no-op)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is not None and device.key == key_hex:
        return False
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, key=key_hex, confirmed=True)
    return True


# --- resetting a lost authenticator (三员分立: two people) ----------------------------------


def _security_officers():
    return User.objects.filter(groups__name=Role.SECURITY_OFFICER.value, is_active=True)


@transaction.atomic
def second_factor_reset_request(*, user: User, actor: User, reason: str) -> SecondFactorReset:
    """The system admin asks; nothing is removed until the security officer approves."""
    if not actor.has_role(Role.SYSADMIN):
        raise PermissionDenied(_("只有系统管理员可以申请重置双因素登录。"))
    if actor.pk == user.pk:
        raise PermissionDenied(_("不能为自己的账号申请重置双因素登录。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写申请原因。"))
    if not TOTPDevice.objects.filter(user=user).exists():
        raise ValidationError(_("该账号尚未绑定身份验证器，无需重置。"))
    if SecondFactorReset.objects.filter(
        user=user, approved_at__isnull=True, declined_at__isnull=True
    ).exists():
        raise ValidationError(_("该账号已有待审批的重置申请。"))
    reset = SecondFactorReset.objects.create(user=user, requested_by=actor, reason=reason)
    log_action(actor, "otp.reset_request", user, {"reset": reset.pk})
    notify(
        recipients=_security_officers().exclude(pk=user.pk),
        title=f"待审批：{user.get_full_name()} 的双因素登录重置申请",
        body=reason,
        url=reverse("twofactor:reset_list"),
        dedupe_key=f"otp-reset-{reset.pk}-requested",
    )
    return reset


def _lock_open(reset: SecondFactorReset) -> SecondFactorReset:
    locked = SecondFactorReset.objects.select_for_update().get(pk=reset.pk)
    if not locked.is_open:
        raise ValidationError(_("该申请已处理。"))
    return locked


def _check_approver(reset: SecondFactorReset, actor: User) -> None:
    if not actor.has_role(Role.SECURITY_OFFICER):
        raise PermissionDenied(_("只有安全保密管理员可以审批双因素登录重置。"))
    if actor.pk == reset.requested_by_id:
        raise PermissionDenied(_("申请人不能审批自己的申请。"))
    if actor.pk == reset.user_id:
        raise PermissionDenied(_("不能审批自己账号的重置申请。"))


@transaction.atomic
def second_factor_reset_approve(*, reset: SecondFactorReset, actor: User) -> SecondFactorReset:
    """The second person approves: the authenticator and recovery codes are
    removed, the person enrols again at the next sign-in and is told so."""
    _check_approver(reset, actor)
    reset = _lock_open(reset)
    removed = sum(
        model.objects.filter(user_id=reset.user_id).delete()[1].get(model._meta.label, 0)
        for model in (TOTPDevice, StaticDevice)
    )
    reset.approved_by = actor
    reset.approved_at = timezone.now()
    reset.save(update_fields=["approved_by", "approved_at"])
    log_action(actor, "otp.reset_approve", reset.user, {"reset": reset.pk, "devices": removed})
    notify(
        recipients=[reset.user],
        title="您的双因素登录已重置",
        body="下次登录时请重新绑定身份验证器。如果不是您本人要求的，请立即联系安全保密管理员。",
        level="warning",
        dedupe_key=f"otp-reset-{reset.pk}-approved",
    )
    notify(
        recipients=[reset.requested_by],
        title=f"{reset.user.get_full_name()} 的双因素登录重置已批准",
        url=reverse("twofactor:reset_list"),
        dedupe_key=f"otp-reset-{reset.pk}-approved",
    )
    return reset


@transaction.atomic
def second_factor_reset_decline(*, reset: SecondFactorReset, actor: User) -> SecondFactorReset:
    _check_approver(reset, actor)
    reset = _lock_open(reset)
    reset.declined_by = actor
    reset.declined_at = timezone.now()
    reset.save(update_fields=["declined_by", "declined_at"])
    log_action(actor, "otp.reset_decline", reset.user, {"reset": reset.pk})
    notify(
        recipients=[reset.requested_by],
        title=f"{reset.user.get_full_name()} 的双因素登录重置申请已驳回",
        url=reverse("twofactor:reset_list"),
        dedupe_key=f"otp-reset-{reset.pk}-declined",
    )
    return reset
