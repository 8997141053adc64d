from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "rectification"
    verbose_name = _("巡察整改")

    def ready(self) -> None:
        # The rectification ledger's import kind, in the ground floor's registry.
        from rectification.resources import register_import_kind

        register_import_kind()
