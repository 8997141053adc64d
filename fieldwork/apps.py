from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "fieldwork"
    verbose_name = _("现场工作与单机系统")

    def ready(self) -> None:
        # The daily log's counts come from the records (rounds asks its registry).
        from fieldwork.selectors import record_counts_for_day
        from rounds.worklog_sources import register_worklog_source

        register_worklog_source(record_counts_for_day)
