from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "xuncha.dashboard"
    label = "dashboard"
    verbose_name = _("领导驾驶舱")

    def ready(self) -> None:
        from xuncha.dashboard.cache import connect_invalidation

        connect_invalidation()
