"""No page for a session signed in with a password alone.

django-otp's ``OTPMiddleware`` (before this one) sets ``request.user.otp_device``
from the session; a session without one reaches only the sign-in steps and the
pages that need no sign-in at all. Everything else is sent to the code step,
which itself sends a person with no authenticator yet to enrolment.
"""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# By view name, so that a moved URL keeps its exemption and a new URL never
# inherits one by sharing a prefix.
EXEMPT_VIEWS = frozenset(
    {
        "twofactor:verify",
        "twofactor:enrol",
        "twofactor:enrol_qr",
        "accounts:login",
        "accounts:logout",
        "set_language",
        "healthz",
        # The public's satisfaction survey: reached with its own token, no sign-in.
        "rectification:survey_answer",
        # 码上巡察: the public's reporting page, its receipt and the status look-up.
        "intake:report_form",
        "intake:receipt",
        "intake:status",
    }
)


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match and request.resolver_match.view_name in EXEMPT_VIEWS:
            return None
        target = reverse("twofactor:verify")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            # A fragment request would swap the code page into a corner of the page.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
