"""The Celery app. Settings live in ``xuncha.settings`` under ``CELERY_``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuncha.settings")

app = Celery("xuncha")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
