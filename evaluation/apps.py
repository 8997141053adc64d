from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("量化考评")

    def ready(self) -> None:
        # The round page cannot import this app; it shows the link it registers.
        from rounds.access import office_manages
        from rounds.links import RoundLink, register_round_link

        register_round_link(
            RoundLink(
                _("量化考评"),
                "evaluation:round",
                "bar-chart-steps",
                lambda user, round_: office_manages(user, round_.office),
            )
        )
