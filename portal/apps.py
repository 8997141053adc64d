from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top layer: the home page, the navigation and the leaders' dashboard.
    It may import every app below it; nothing below imports it."""

    name = "portal"
    verbose_name = _("首页与领导驾驶舱")

    def ready(self) -> None:
        from portal import home
        from portal.dashboard.cache import connect_invalidation

        connect_invalidation()
        home.register()
        # The reports machinery discovers ``<app>.reports``; the dashboard's
        # documents live one folder down, so import them here.
        import portal.dashboard.reports  # noqa: F401
