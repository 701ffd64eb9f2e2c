import heapq
import json
from argparse import ArgumentParser
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from heapprivacy.audit.actors import Actor
from heapprivacy.erasure.importer import ImportReport, InvalidFile, requests_import
from heapprivacy.erasure.models import HeapAccount


class Command(BaseCommand):
    help = (
        "Import erasure requests from a CSV file; bad rows and duplicates are reported by line, "
        "the rest imported. Warnings (edge whitespace, invisible characters, a subject already "
        "in an open request) are printed and the row is imported."
    )

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
        for line, message in _problems(report):
            self.stderr.write(f"line {line}: {message}")
        if options["json"]:
            self.stdout.write(json.dumps(_summary(report), indent=2))
        else:
            self.stdout.write(_sentence(report))


def _problems(report: ImportReport) -> Iterator[tuple[int, str]]:
    """Refused rows and warnings in line order (each list already is)."""
    errors = ((error.line, error.message) for error in report.errors)
    warnings = ((warning.line, f"warning: {warning.message}") for warning in report.warnings)
    return heapq.merge(errors, warnings, key=lambda problem: problem[0])


def _sentence(report: ImportReport) -> str:
    text = (
        f"imported {report.requests} requests with {report.subjects} subjects; "
        f"refused {report.refused} rows"
    )
    if report.duplicates:
        text += f" ({report.duplicates} duplicates)"
    if report.warned:
        text += f"; {report.warned} warnings"
    return text


def _summary(report: ImportReport) -> dict[str, object]:
    return {
        "requests": report.requests,
        "subjects": report.subjects,
        "references": report.references,
        "duplicates": report.duplicates,
        "errors": [{"line": error.line, "message": error.message} for error in report.errors],
        "warnings": [
            {"line": warning.line, "message": warning.message} for warning in report.warnings
        ],
    }
