"""Manage Heap accounts from the command line (the api_key is read from an environment variable)."""

import os
from argparse import ArgumentParser

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from heapprivacy.audit.actors import Actor
from heapprivacy.crypto import DecryptionError
from heapprivacy.erasure.accounts import (
    heap_account_check,
    heap_account_create,
    heap_accounts_reencrypt,
)
from heapprivacy.erasure.models import HeapAccount

ACTOR = Actor.system("manage.py heap_account")


class Command(BaseCommand):
    help = "Add, list and check Heap accounts; re-encrypt their keys after a key rotation."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="Add an account.")
        add.add_argument("--label", required=True)
        add.add_argument("--app-id", required=True, help="The Main Production environment id.")
        add.add_argument(
            "--api-key-env", required=True, help="Name of the environment variable with the key."
        )
        add.add_argument("--region", choices=HeapAccount.Region.values, default="us")
        add.add_argument("--deletion-url", default="")
        add.add_argument("--ingestion-url", default="")
        actions.add_parser("list", help="List accounts (keys masked).")
        check = actions.add_parser("check", help="Ask Heap for a token with the stored key.")
        check.add_argument("label")
        actions.add_parser("rotate-keys", help="Re-encrypt every key under the newest key.")

    def handle(self, *args: object, action: str, **options: object) -> None:
        try:
            getattr(self, "handle_" + action.replace("-", "_"))(**options)
        except DecryptionError as error:
            raise CommandError(f"{error}: check FIELD_ENCRYPTION_KEYS") from None

    def handle_add(self, *, label: str, app_id: str, api_key_env: str, **options: str) -> None:
        api_key = os.environ.get(api_key_env, "")
        if not api_key:
            raise CommandError(f"the environment variable {api_key_env} is empty or unset")
        try:
            account = heap_account_create(
                label=label,
                app_id=app_id,
                api_key=api_key,
                actor=ACTOR,
                region=options["region"],
                deletion_base_url=options["deletion_url"],
                ingestion_base_url=options["ingestion_url"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"added {account.label} (app_id {account.app_id})")

    def handle_list(self, **options: object) -> None:
        for account in HeapAccount.objects.order_by("label"):
            self.stdout.write(
                f"{account.label}\tapp_id {account.app_id}\tkey {account.api_key_masked}\t"
                f"{account.region}\t{account.deletion_base_url}\t"
                f"{'active' if account.is_active else 'inactive'}"
            )

    def handle_check(self, *, label: str, **options: object) -> None:
        account = HeapAccount.objects.filter(label=label).first()
        if account is None:
            raise CommandError(f"no Heap account labelled {label!r}")
        ok, message = heap_account_check(account, actor=ACTOR)
        if not ok:
            raise CommandError(message)
        self.stdout.write("ok")

    def handle_rotate_keys(self, **options: object) -> None:
        self.stdout.write(f"re-encrypted {heap_accounts_reencrypt(actor=ACTOR)} account keys")
