from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "rectification"
    verbose_name = _("巡察整改")

    def ready(self) -> None:
        # 待办: the top layer asks every app what waits on a user.
        from rectification.todo import rectification_todo
        from xuncha.core.todo import register_todo

        register_todo(rectification_todo)

        # The rectification ledger's import kind, in the ground floor's registry.
        from rectification.resources import register_import_kind

        register_import_kind()

        # 归档 waits on rectification; the rounds app asks, without importing this one.
        from rectification.workflow import round_archive_blockers
        from rounds.workflow import register_archive_blocker

        register_archive_blocker(round_archive_blockers)
