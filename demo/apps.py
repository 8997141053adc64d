from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo city and ``manage.py seed_demo``: installed outside production only."""

    name = "demo"
    verbose_name = _("演示数据")
