from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Every email we send, through one outbox: to subjects at each step, to officers daily."""

    name = "heapprivacy.notifications"
    label = "notifications"
