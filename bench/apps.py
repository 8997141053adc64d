from django.apps import AppConfig


class BenchConfig(AppConfig):
    """``manage.py bench``; installed by settings only outside production."""

    name = "bench"
    verbose_name = "Benchmarks"
