from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff users and the roles they hold."""

    name = "heapprivacy.accounts"
    label = "accounts"
