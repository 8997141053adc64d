from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("码上巡察")

    def ready(self) -> None:
        # 待办: the top layer asks every app what waits on a user.
        from intake.todo import intake_todo
        from xuncha.core.todo import register_todo

        register_todo(intake_todo)
