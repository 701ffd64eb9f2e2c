import json
from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from heapprivacy.audit.actors import Actor
from heapprivacy.erasure.importer import InvalidFile, requests_import
from heapprivacy.erasure.models import HeapAccount


class Command(BaseCommand):
    help = "Import erasure requests from a CSV file; bad rows are reported, the rest imported."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--account", required=True, help="Label of the Heap account.")
        parser.add_argument("--approve", action="store_true", help="Approve what is imported.")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args: object, file: Path, account: str, **options: bool) -> None:
        heap_account = HeapAccount.objects.filter(label=account).first()
        if heap_account is None:
            raise CommandError(f"no Heap account labelled {account!r}")
        actor = Actor.system(f"manage.py import_requests {file.name}")
        try:
            with file.open("rb") as lines:
                report = requests_import(
                    lines, account=heap_account, actor=actor, approve=options["approve"]
                )
        except (OSError, InvalidFile) as error:
            raise CommandError(f"{file.name}: {error}; nothing was imported") from None
        for error in report.errors:
            self.stderr.write(f"line {error.line}: {error.message}")
        if options["json"]:
            self.stdout.write(json.dumps(_summary(report), indent=2))
        else:
            self.stdout.write(
                f"imported {report.requests} requests with {report.subjects} subjects; "
                f"refused {len(report.errors)} rows"
            )


def _summary(report: object) -> dict[str, object]:
    return {
        "requests": report.requests,
        "subjects": report.subjects,
        "references": report.references,
        "errors": [{"line": error.line, "message": error.message} for error in report.errors],
    }
