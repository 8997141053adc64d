"""The second sign-in step, enrolment, recovery codes, and the reset pages."""

import io
from base64 import b32encode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.twofactor import selectors, services
from xuncha.twofactor.forms import CodeForm, ResetRequestForm


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _render_step(request, template: str, context: dict, status: int = 200):
    # The session is not signed in yet: no menu and no notification count.
    context = {"nav_items": [], "unread_notifications": 0, **context}
    return render(request, template, context, status=status)


def _signed_in(request, device) -> None:
    """Both factors given: mark the session, start a fresh session key, and
    clear the lock-out failures of this account from this address."""
    otp_login(request, device)
    request.session.cycle_key()
    AxesProxyHandler.update_request(request)
    axes_reset(ip=request.axes_ip_address, username=request.user.get_username())


@never_cache
@login_required
def verify(request):
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not services.has_second_factor(user):
        return redirect(reverse("twofactor:enrol") + "?" + urlencode({"next": next_url}))
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        return get_lockout_response(request, credentials=credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.verify_code(user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            _signed_in(request, result.device)
            if result.used_recovery_code:
                left = services.recovery_codes_left(user)
                messages.warning(
                    request,
                    _("您使用了一个恢复码，还剩 %(left)d 个。请尽快找回手机或重新生成恢复码。")
                    % {"left": left},
                )
            return redirect(next_url)
        # A wrong code is a failed sign-in: it counts toward the lock-out like a wrong password.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return get_lockout_response(request, credentials=credentials)
        form.add_error(
            "code",
            _("尝试过于频繁，请稍等片刻再输入。")
            if result.throttled
            else _("验证码不正确或已使用过。连续输错多次后账号将被暂时锁定。"),
        )
    return _render_step(request, "twofactor/verify.html", {"form": form, "next": next_url})


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def enrol(request):
    user = request.user
    next_url = _next_url(request)
    if user.is_verified() or services.has_second_factor(user):
        return redirect(reverse("twofactor:verify") + "?" + urlencode({"next": next_url}))
    device = services.enrolment_device(user=user)
    form = CodeForm(request.POST or None, recovery_allowed=False)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.enrolment_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if enrolment is not None:
                _signed_in(request, enrolment.device)
                return _render_step(
                    request,
                    "twofactor/recovery_codes.html",
                    {"codes": enrolment.recovery_codes, "next": next_url, "enrolled": True},
                )
            form.add_error(
                "code", _("验证码不正确：请核对手机时间是否准确，并输入当前显示的 6 位数字。")
            )
    return _render_step(
        request,
        "twofactor/enrol.html",
        {
            "form": form,
            "next": next_url,
            "secret": _grouped(b32encode(device.bin_key).decode()),
            "issuer": settings.OTP_TOTP_ISSUER,
        },
    )


@never_cache
@login_required
def enrol_qr(request):
    """The authenticator's QR code, drawn here as SVG: no external service sees the secret."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("pk").first()
    if device is None:
        raise Http404
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=2)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@never_cache
@login_required
def recovery(request):
    """Recovery codes: how many are left, and new ones (the old stop working)."""
    if request.method == "POST":
        codes = services.recovery_codes_regenerate(user=request.user)
        return render(
            request,
            "twofactor/recovery_codes.html",
            {"codes": codes, "next": reverse("twofactor:recovery")},
        )
    return render(
        request,
        "twofactor/recovery.html",
        {"left": services.recovery_codes_left(request.user)},
    )


# --- resets: the system admin asks, the security officer approves --------------------


def _require_reset_roles(user) -> None:
    if not selectors.may_see_resets(user):
        raise Http404


@login_required
def reset_list(request):
    _require_reset_roles(request.user)
    form = ResetRequestForm()
    return render(
        request,
        "twofactor/reset_list.html",
        {
            "resets": selectors.reset_list(user=request.user)[:200],
            "form": form,
            "may_request": request.user.has_role(Role.SYSADMIN),
            "may_approve": request.user.has_role(Role.SECURITY_OFFICER),
        },
    )


def _report(request, error: Exception) -> None:
    for message in getattr(error, "messages", None) or [str(error)]:
        messages.error(request, message)


@require_POST
@login_required
def reset_request(request):
    _require_reset_roles(request.user)
    form = ResetRequestForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("twofactor:reset_list")
    user = User.objects.filter(username=form.cleaned_data["username"].strip()).first()
    if user is None:
        messages.error(request, _("没有这个用户名的账号。"))
        return redirect("twofactor:reset_list")
    try:
        services.second_factor_reset_request(
            user=user, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except (PermissionDenied, ValidationError) as error:
        _report(request, error)
    else:
        messages.success(request, _("已提交申请，等待安全保密管理员审批。"))
    return redirect("twofactor:reset_list")


@require_POST
@login_required
def reset_decide(request, pk: int, decision: str):
    _require_reset_roles(request.user)
    reset = get_object_or_404(selectors.reset_list(user=request.user), pk=pk)
    service = {
        "approve": services.second_factor_reset_approve,
        "decline": services.second_factor_reset_decline,
    }[decision]
    try:
        service(reset=reset, actor=request.user)
    except (PermissionDenied, ValidationError) as error:
        _report(request, error)
    else:
        messages.success(
            request,
            _("已批准：该账号下次登录时重新绑定身份验证器，本人已收到通知。")
            if decision == "approve"
            else _("已驳回该申请。"),
        )
    return redirect("twofactor:reset_list")
