from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """How requests arrive: the public form with email verification, and CSV uploads."""

    name = "heapprivacy.intake"
    label = "intake"

    def ready(self) -> None:
        from heapprivacy.intake import notifications  # noqa: F401 (connects its receiver)
