"""Manage API clients from the command line. `create` prints the token once, alone on stdout."""

from argparse import ArgumentParser

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from heapprivacy.api.models import ApiClient, Scope
from heapprivacy.api.services import api_client_create, api_client_revoke
from heapprivacy.audit.actors import Actor

ACTOR = Actor.system("manage.py api_client")


class Command(BaseCommand):
    help = "Create, list and revoke REST API clients."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a client; prints its token once.")
        create.add_argument("name")
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            choices=Scope.values,
            dest="scopes",
            help="A scope to grant; repeat for several.",
        )
        actions.add_parser("list", help="List clients (token prefixes only).")
        revoke = actions.add_parser("revoke", help="Revoke a client's token for good.")
        revoke.add_argument("name")

    def handle(self, *args: object, action: str, **options: object) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_create(self, *, name: str, scopes: list[str], **options: object) -> None:
        try:
            client, token = api_client_create(name=name, scopes=scopes, actor=ACTOR)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stderr.write(
            f"created API client {client.name} (id {client.pk}) with scopes "
            f"{', '.join(client.scopes)}; its token, shown only now, follows on stdout"
        )
        self.stdout.write(token)

    def handle_list(self, **options: object) -> None:
        for client in ApiClient.objects.order_by("name"):
            last_used = f"{client.last_used_at:%Y-%m-%d %H:%M}" if client.last_used_at else "never"
            self.stdout.write(
                f"{client.name}\t{client.token_prefix}…\t{','.join(client.scopes)}\t"
                f"{'active' if client.is_active else 'revoked'}\tlast used {last_used}"
            )

    def handle_revoke(self, *, name: str, **options: object) -> None:
        client = ApiClient.objects.filter(name=name).first()
        if client is None:
            raise CommandError(f"no API client named {name!r}")
        if not api_client_revoke(client, actor=ACTOR):
            raise CommandError(f"API client {name} was revoked already")
        self.stdout.write(f"revoked {name}")
