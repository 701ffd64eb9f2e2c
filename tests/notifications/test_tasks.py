"""Beat runs the outbox sweep every minute and the officers' digest every day at 07:00."""

from celery.schedules import crontab
from django.conf import settings

from heapprivacy.console import tasks as console_tasks
from heapprivacy.notifications import tasks


def test_beat_sweeps_the_outbox_every_minute() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-sweep"]

    assert entry["task"] == tasks.sweep_notifications.name
    assert entry["schedule"] == crontab()


def test_beat_sends_the_digest_daily_at_seven() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["officer-digest"]

    assert entry["task"] == console_tasks.send_officer_digest.name
    assert entry["schedule"] == crontab(hour=7, minute=0)
