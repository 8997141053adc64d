from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrosscheckConfig(AppConfig):
    name = "crosscheck"
    verbose_name = _("大数据比对")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crosscheck.jobs import register

        register()
