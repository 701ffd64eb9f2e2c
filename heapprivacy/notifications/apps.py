from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Every email we send, through one outbox: to subjects at each step of their request."""

    name = "heapprivacy.notifications"
    label = "notifications"

    def ready(self) -> None:
        from heapprivacy.notifications import receivers  # noqa: F401 (importing connects them)
