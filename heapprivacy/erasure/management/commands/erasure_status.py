import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from heapprivacy.erasure.status import request_status, state_counts


class Command(BaseCommand):
    help = "State counts of requests, subjects and batches, or one request's subjects and batches."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("reference", nargs="?", help="A request reference (DSR-2026-000123).")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(
        self, *args: object, reference: str | None, as_json: bool, **options: object
    ) -> None:
        status: dict[str, Any]
        if reference:
            found = request_status(reference)
            if found is None:
                raise CommandError(f"no request {reference}")
            status = found
        else:
            status = state_counts()
        self.stdout.write(_json(status) if as_json else _text(status))


def _json(status: dict) -> str:
    return json.dumps(status, indent=2, default=lambda value: value.isoformat())


def _text(status: dict, indent: str = "") -> str:
    lines = []
    for key, value in status.items():
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            lines.append(_text(value, indent + "  "))
        elif isinstance(value, list):
            lines.append(f"{indent}{key}:")
            lines.extend(f"{indent}  - {_inline(item)}" for item in value)
        else:
            lines.append(f"{indent}{key}: {value}")
    return "\n".join(lines)


def _inline(item: object) -> str:
    if isinstance(item, dict):
        return ", ".join(f"{key} {value}" for key, value in item.items())
    return str(item)
