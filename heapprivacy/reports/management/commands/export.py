"""manage.py export {register|audit|metrics|pack|certificate REF} --output FILE: the console's
exports for scripts, through the same code (reports.exports.export_open), audited the same way."""

import os
import shutil
import tempfile
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError

from heapprivacy.audit.actors import Actor
from heapprivacy.reports.certificates import CertificateUnavailable
from heapprivacy.reports.exports import FORMATS, Export, ExportRefused, export_open
from heapprivacy.reports.filters import AuditFilters, Period

ACTOR = Actor.system("manage.py export")


class Command(BaseCommand):
    help = "Export the register, audit trail, metrics, auditor pack or a certificate to a file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=list(FORMATS))
        parser.add_argument("reference", nargs="?", help="the request (certificate only)")
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=sorted({fmt for formats in FORMATS.values() for fmt in formats}),
            help="register, metrics: csv; audit: jsonl (default) or csv; "
            "certificate: pdf (default) or json; pack: zip",
        )
        parser.add_argument("--output", required=True, type=Path, metavar="FILE")
        parser.add_argument("--since", type=date.fromisoformat, help="YYYY-MM-DD, UTC, included")
        parser.add_argument("--until", type=date.fromisoformat, help="YYYY-MM-DD, UTC, included")
        parser.add_argument("--request", default="", help="audit: one request's events")
        parser.add_argument("--actor", default="", help="audit: one actor's events (label)")
        parser.add_argument("--action", default="", help="audit: an action or its prefix")

    def handle(self, *args: object, kind: str, reference: str | None, **options: Any) -> None:
        if (kind == "certificate") != bool(reference):
            raise CommandError("a request reference goes with `certificate`, and only with it")
        if kind != "audit" and any(options[name] for name in ("request", "actor", "action")):
            raise CommandError("--request, --actor and --action filter the audit export only")
        fmt = options["fmt"] or _default_format(kind)
        period = Period(options["since"], options["until"])
        if period.since and period.until and period.since > period.until:
            raise CommandError("--since is after --until")
        audit = AuditFilters(
            period=period,
            request_ref=str(options["request"]).strip().upper(),
            actor=str(options["actor"]),
            action=str(options["action"]),
        )
        try:
            export = export_open(
                kind,
                fmt,
                actor=ACTOR,
                period=period,
                audit=audit,
                reference=(reference or "").strip().upper(),
            )
        except (ExportRefused, CertificateUnavailable) as refused:
            raise CommandError(str(refused)) from None
        size = _write(export, options["output"])
        self.stdout.write(f"{kind} ({fmt}, {size} bytes) written to {options['output']}")


def _default_format(kind: str) -> str:
    return {"audit": "jsonl"}.get(kind, FORMATS[kind][0])


def _write(export: Export, output: Path) -> int:
    """Write beside the target and rename: a failed export never leaves half a file behind."""
    descriptor, partial = tempfile.mkstemp(dir=output.parent or ".", prefix=f".{output.name}.")
    try:
        with os.fdopen(descriptor, "wb") as file:
            if hasattr(export.content, "read"):
                with cast(IO[bytes], export.content) as source:
                    shutil.copyfileobj(source, file)
            else:
                for chunk in export.content:
                    file.write(chunk)
        os.replace(partial, output)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return output.stat().st_size
