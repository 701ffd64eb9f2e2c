from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The officer console: server-rendered pages over the erasure and audit services."""

    name = "heapprivacy.console"
    label = "console"
