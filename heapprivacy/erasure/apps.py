from django.apps import AppConfig


class ErasureConfig(AppConfig):
    """Erasure requests, their Heap subjects, and the deletion batches sent to Heap."""

    name = "heapprivacy.erasure"
    label = "erasure"
