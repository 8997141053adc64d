"""Pages for activation codes: the system admin's list and printable code,
and the signed-out page where a person sets their own password."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xuncha.accounts import activation
from xuncha.accounts.lockout import client_ip
from xuncha.accounts.models import Activation
from xuncha.accounts.roles import Role
from xuncha.core.access import role_required


class ActivateForm(forms.Form):
    code = forms.CharField(label=_("激活码"), max_length=40)
    username = forms.CharField(label=_("用户名"), max_length=150)
    password1 = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            raise ValidationError(_("两次输入的密码不一致。"))
        return data


@never_cache
@role_required(Role.SYSADMIN)
def activation_list(request):
    waiting = list(activation.cannot_sign_in().select_related("organization", "office"))
    latest = {
        a.user_id: a
        for a in Activation.objects.filter(user__in=waiting).order_by("issued_at", "pk")
    }
    rows = [(user, latest.get(user.pk)) for user in waiting]
    return render(
        request,
        "accounts/activation_list.html",
        {"rows": rows, "activation_days": settings.ACTIVATION_DAYS, "now": timezone.now()},
    )


@require_POST
@role_required(Role.SYSADMIN)
def activation_issue(request, user_pk: int):
    user = get_object_or_404(activation.cannot_sign_in(), pk=user_pk)
    try:
        issued, code = activation.activation_issue(user=user, actor=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("accounts:activation_list")
    # Shown once, to print and hand over: only its hash is kept.
    response = render(
        request,
        "accounts/activation_print.html",
        {
            "person": user,
            "activation": issued,
            "code": activation.printable(code),
            "link": request.build_absolute_uri(activation.activation_link(code)),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _client_key(request) -> str:
    # The real client behind the proxy, as the lock-out sees it (not the proxy's address).
    return client_ip(request) or ""


@never_cache
def activate(request):
    """Signed out: the person types the code, their username and a new password."""
    if request.method == "POST":
        form = ActivateForm(request.POST)
        if form.is_valid():
            try:
                activation.activation_redeem(
                    code=form.cleaned_data["code"],
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                    client_key=_client_key(request),
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("密码已设置，请用新密码登录。"))
                return redirect("accounts:login")
    else:
        form = ActivateForm(initial={"code": request.GET.get("code", "")})
    return render(request, "accounts/activate.html", {"form": form})
