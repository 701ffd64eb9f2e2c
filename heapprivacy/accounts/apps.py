from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    """Staff users and the roles they hold."""

    name = "heapprivacy.accounts"
    label = "accounts"

    def ready(self) -> None:
        from heapprivacy.accounts.mfa import enrolment_remember
        from heapprivacy.accounts.services import roles_sync

        post_migrate.connect(roles_sync, dispatch_uid="heapprivacy.accounts.roles_sync")
        user_logged_in.connect(enrolment_remember, dispatch_uid="heapprivacy.accounts.mfa")
