"""The Celery application. Configuration lives in settings (CELERY_ namespace)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heapprivacy.settings")

app = Celery("heapprivacy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
