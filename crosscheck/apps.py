from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrosscheckConfig(AppConfig):
    name = "crosscheck"
    verbose_name = _("大数据比对")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crosscheck.access import may_see_round
        from crosscheck.jobs import register
        from crosscheck.todo import crosscheck_todo
        from rounds.links import RoundLink, register_round_link
        from xuncha.core.todo import register_todo

        register()
        register_todo(crosscheck_todo)
        register_round_link(
            RoundLink(_("大数据比对"), "crosscheck:round_home", "search", may_see_round)
        )
