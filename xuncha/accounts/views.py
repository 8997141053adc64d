from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from xuncha.accounts import signin_queue
from xuncha.accounts.hashers import PasswordChecksBusy, waiting_seat
from xuncha.accounts.lockout import locked_attempts
from xuncha.accounts.roles import Role
from xuncha.accounts.services import lockout_release
from xuncha.accounts.services import password_change as password_change_service
from xuncha.twofactor.selectors import may_see_resets


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续输错多次后账号将被暂时锁定。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }
    # A Place (accounts/signin_queue.py) when the sign-in was asked to wait its turn.
    queue_place = None

    def clean(self):
        if not (self.cleaned_data.get("username") and self.cleaned_data.get("password")):
            return super().clean()  # no password check to queue for
        # A morning rush: people go in the order they came (signin_queue) and
        # only as many wait for a password check as this process has seats for
        # (hashers), so waiting never holds every thread the pages need.
        ticket = signin_queue.read_ticket(self.data.get(signin_queue.FIELD))
        try:
            going_in = signin_queue.take_turn(ticket)
            with waiting_seat():
                signin_queue.used(going_in)
                return super().clean()
        except (signin_queue.NotYourTurn, PasswordChecksBusy):
            place = self.queue_place = signin_queue.wait_in_line(ticket)
        raise ValidationError(
            _(
                "登录人数较多，您正在排队：第 %(place)s 位，约 %(seconds)s 秒后轮到您。"
                "页面会到时自动重新登录，请勿关闭；如未自动登录，请到时重新输入密码再点登录。"
            ),
            code="busy",
            params={"place": place.place, "seconds": place.retry_after},
        )


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.queue_place:
            response.status_code = 429
            response["Retry-After"] = str(form.queue_place.retry_after)
        return response

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.headers.get("X-Signin-Queue") and response.status_code == 302:
            # The page's script posted the form (static/js/signin_queue.js): it
            # cannot read a redirect's target, so it is told where to go instead.
            told = HttpResponse(status=204)
            told["X-Signin-Next"] = response["Location"]
            for cookie in response.cookies.values():
                told.cookies[cookie.key] = cookie
            return told
        return response


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def profile(request):
    return render(
        request,
        "accounts/profile.html",
        {
            "profile_user": request.user,
            "may_handle_second_factor_resets": may_see_resets(request.user),
        },
    )


@sensitive_post_parameters()
@never_cache
@login_required
def password_change(request):
    """Everyone changes their own password here; a temporary or expired one leads here."""
    form = PasswordChangeForm(user=request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_change_service(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Keep this session signed in; every other session of the account ends.
            update_session_auth_hash(request, request.user)
            messages.success(request, _gettext("密码已修改。"))
            return redirect("core:home")
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "forced": request.user.must_change_password or request.user.password_expired,
        },
    )


def _security_officer_only(request) -> None:
    # The page exists only for the security officer; to everyone else it is not there.
    if not request.user.has_role(Role.SECURITY_OFFICER):
        raise Http404


@never_cache
@login_required
def lockout_list(request):
    _security_officer_only(request)
    return render(request, "accounts/lockout_list.html", {"attempts": locked_attempts()[:200]})


@require_POST
@login_required
def lockout_unlock(request, pk: int):
    _security_officer_only(request)
    try:
        username = lockout_release(attempt_id=pk, actor=request.user)
    except (PermissionDenied, ValidationError) as error:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
    else:
        messages.success(
            request, _gettext("已解除 %(username)s 的登录锁定。") % {"username": username}
        )
    return redirect("accounts:lockout_list")
