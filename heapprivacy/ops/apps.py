from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: health checks and worker heartbeats."""

    name = "heapprivacy.ops"
    label = "ops"
