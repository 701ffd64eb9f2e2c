from django.apps import AppConfig


class ErasureConfig(AppConfig):
    """Erasure requests, their Heap subjects, and the deletion batches sent to Heap."""

    name = "heapprivacy.erasure"
    label = "erasure"

    def ready(self) -> None:
        from heapprivacy.erasure import checks  # noqa: F401  (registers the system checks)
