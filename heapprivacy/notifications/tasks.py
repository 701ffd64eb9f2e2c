"""Thin Celery tasks: ids in, one service call. The outbox rows, not the messages, are the work."""

from heapprivacy.celery import app
from heapprivacy.notifications import services


@app.task
def send_notification(notification_id: int) -> None:
    services.notification_send(notification_id)


@app.task
def sweep_notifications() -> None:
    services.notifications_sweep(send=send_notification.delay)
