from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecklistConfig(AppConfig):
    name = "checklist"
    verbose_name = _("现场工作清单")

    def ready(self) -> None:
        # 报告 waits on every target's checklist; the rounds app asks, without importing this one.
        from checklist.selectors import round_report_blockers
        from rounds.workflow import register_report_blocker

        register_report_blocker(round_report_blockers)
