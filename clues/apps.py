from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CluesConfig(AppConfig):
    name = "clues"
    verbose_name = _("问题线索")

    def ready(self) -> None:
        # 待办: the top layer asks every app what waits on a user.
        from clues.todo import clues_todo
        from xuncha.core.todo import register_todo

        register_todo(clues_todo)

        # The clue and people-dealt-with import kinds, in the imports registry.
        from clues.resources import register_import_kinds

        register_import_kinds()
