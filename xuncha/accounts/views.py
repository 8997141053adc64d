from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from xuncha.twofactor.selectors import may_see_resets


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续输错多次后账号将被暂时锁定。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


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
