from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "xuncha.core"
    label = "core"
    verbose_name = _("公共")


class XunchaAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "xuncha.core.admin_site.XunchaAdminSite"
