from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: health checks, worker heartbeats, and the commands that run every sweep
    and seed the demo (the layer above all others: nothing imports it)."""

    name = "heapprivacy.ops"
    label = "ops"
