from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API for other systems: scoped tokens, every call audited."""

    name = "heapprivacy.api"
    label = "api"

    def ready(self) -> None:
        from heapprivacy.api import receivers  # noqa: F401 (importing connects them)
