from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """How requests arrive: the public form with email verification, and CSV uploads."""

    name = "heapprivacy.intake"
    label = "intake"
