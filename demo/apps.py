from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city and ``manage.py seed_demo``: installed outside production only."""

    name = "demo"
    verbose_name = "演示数据"
