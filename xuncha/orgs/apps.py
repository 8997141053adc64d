from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "xuncha.orgs"
    label = "orgs"
    verbose_name = _("组织与干部")

    def ready(self) -> None:
        # The organization and cadre import kinds, in the imports registry.
        from xuncha.orgs.importers import register_import_kinds

        register_import_kinds()

        # The lists' filter options are cached (xuncha.core.choice_cache): a
        # round's name carries its office's, a member's rounds follow their cadre.
        from xuncha.core.choice_cache import watch
        from xuncha.orgs.models import Cadre, Department, Office, Region

        watch(Region, Department, Office, Cadre)
