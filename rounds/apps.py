from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    name = "rounds"
    verbose_name = _("巡察轮次")

    def ready(self) -> None:
        # 待办: the top layer asks every app what waits on a user.
        from rounds.todo import rounds_todo
        from xuncha.core.todo import register_todo

        register_todo(rounds_todo)

        # The rounds' home cards and import kind, in the ground floor's registries.
        from rounds import home
        from rounds.resources import register_import_kind

        home.register()
        register_import_kind()

        # The lists' filter options are cached; these models are what they are read from.
        from rounds.models import Membership, ProblemCategory, Round, Team
        from xuncha.core.choice_cache import watch

        watch(Round, Team, Membership, ProblemCategory)
