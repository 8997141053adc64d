from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "xuncha.reports"
    label = "reports"
    verbose_name = _("报表与文书")

    def ready(self) -> None:
        # Each app registers its documents in its own reports.py.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("reports")

        from xuncha.reports.jobs import register

        register()
