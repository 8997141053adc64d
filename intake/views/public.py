"""码上巡察's public pages: the reporting form a poster's QR code opens, the
receipt shown once, and the status look-up. No sign-in.

Nothing here reveals another report: no report id appears (the receipt is a
random code, stored as its hash), no page counts anything, and an unknown
code and a closed channel answer with fixed words. The reporting form's POST
is throttled per address before its body is read: the form view is exempt
from the CSRF middleware (which would read the body first) and protects
itself with ``csrf_protect`` once the throttle has let the post through."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from intake import captcha, services, throttle
from intake.forms import PublicReportForm, StatusForm
from intake.models import Channel, PublicStatus
from xuncha.accounts.lockout import client_ip
from xuncha.core.view_helpers import error_messages

RECEIPT_SESSION_KEY = "intake_receipt"


def _max_body_bytes() -> int:
    """A report's text, its files at the limit and the form's own fields."""
    return (settings.INTAKE_FILES_PER_REPORT * settings.INTAKE_FILE_MAX_MB + 1) * 1024 * 1024


SLOW_DOWN = gettext_noop("提交过于频繁，请一小时后再试。")


def _public(request, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    # As on the public survey: "same-origin", not "no-referrer", or Chromium
    # posts the form with "Origin: null" and the CSRF check refuses it.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _key(request) -> str:
    return throttle.client_key(client_ip(request))


@never_cache
@csrf_exempt
def report_form(request, token: str):
    if request.method == "POST":
        key = _key(request)
        if throttle.submit_refused(key):
            throttle.hit("submit", key)
            return _public(request, "intake/notice.html", {"notice": _(SLOW_DOWN)}, status=429)
        throttle.hit("submit", key)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > _max_body_bytes():
            return _public(
                request,
                "intake/notice.html",
                {
                    "notice": _("提交的内容过大：每个文件不超过 %(max)s MB。")
                    % {"max": settings.INTAKE_FILE_MAX_MB}
                },
                status=413,
            )
    return _report_form(request, token)


@csrf_protect
def _report_form(request, token: str):
    channel = get_object_or_404(
        Channel.objects.select_related("target__organization", "target__round"), token=token
    )
    organization = channel.target.organization.name
    if not services.stay_open(channel.target):
        return _public(
            request,
            "intake/notice.html",
            {"organization_name": organization, "notice": _(services.public.CLOSED)},
        )
    key = _key(request)
    # The count includes this post: the first few go through without a
    # CAPTCHA, every later one must solve the one its form showed.
    must_solve = (
        request.method == "POST" and throttle.count("submit", key) > settings.INTAKE_CAPTCHA_AFTER
    )
    form = PublicReportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if must_solve and not captcha.solved(request.session, data["captcha"]):
            errors.append(_("验证码不正确，请重新输入。"))
        else:
            try:
                submitted = services.report_submit(
                    channel=channel,
                    text=data["text"],
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    files=data["files"],
                )
            except ValidationError as error:
                errors.extend(error_messages(error))
            else:
                request.session[RECEIPT_SESSION_KEY] = submitted.receipt
                return redirect("intake:receipt")
    elif request.method == "POST":
        errors.extend(e for field_errors in form.errors.values() for e in field_errors)
    return _public(
        request,
        "intake/report_form.html",
        {
            "organization_name": organization,
            "form": form,
            "errors": errors,
            "captcha_image": (
                captcha.new_challenge(request.session) if throttle.needs_captcha(key) else ""
            ),
        },
        status=400 if errors else 200,
    )


@never_cache
def receipt(request):
    """The receipt code, once: it leaves the session as it is shown."""
    code = request.session.pop(RECEIPT_SESSION_KEY, None)
    return _public(request, "intake/receipt.html", {"receipt": code})


@never_cache
def status(request):
    form = StatusForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        key = _key(request)
        if throttle.status_refused(key):
            context["notice"] = _("查询过于频繁，请一小时后再试。")
            return _public(request, "intake/status.html", context, status=429)
        throttle.hit("status", key)
        found = services.status_for_receipt(form.cleaned_data["receipt"])
        if found is None:
            context["notice"] = _("未查到该回执码，请核对后重新输入。")
        else:
            context["status"] = PublicStatus(found).label
    return _public(request, "intake/status.html", context)
