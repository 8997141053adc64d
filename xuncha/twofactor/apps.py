from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "xuncha.twofactor"
    label = "twofactor"
    verbose_name = _("双因素登录")
