from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Keeping the installation running: background jobs that survive a dead
    worker, a cache that fails open, backup and restore."""

    name = "xuncha.ops"
    label = "ops"
    verbose_name = _("运行保障")
