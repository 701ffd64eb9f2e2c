import heapq
import json
import math
import os
import time
from argparse import ArgumentParser
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from heapprivacy.audit.actors import Actor
from heapprivacy.erasure.imports.importer import ImportReport, InvalidFile, requests_import
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
                # Only a person watching a terminal wants the bar: never a script, a pipe or --json.
                with_bar = not options["json"] and self.stderr.isatty()
                report = self._import(
                    lines, heap_account, actor, approve=options["approve"], with_bar=with_bar
                )
        except (OSError, InvalidFile) as error:
            raise CommandError(f"{file.name}: {error}; nothing was imported") from None
        for line, message in _problems(report):
            self.stderr.write(f"line {line}: {message}")
        if options["json"]:
            self.stdout.write(json.dumps(_summary(report), indent=2))
        else:
            self.stdout.write(_sentence(report))

    def _import(
        self, lines: BinaryIO, account: HeapAccount, actor: Actor, *, approve: bool, with_bar: bool
    ) -> ImportReport:
        if not with_bar:
            return requests_import(lines, account=account, actor=actor, approve=approve)
        bar = Bar(self.stderr, lines)
        try:
            return requests_import(
                lines, account=account, actor=actor, approve=approve, progress=bar
            )
        finally:
            bar.close()


class Bar:
    """A progress line on a terminal, redrawn in place: how far into the file, rows read, rows/s
    and the time left, reckoned from the byte position the importer has read up to."""

    WIDTH = 72

    def __init__(
        self,
        out: OutputWrapper,
        file: BinaryIO,
        clock: Callable[[], float] = time.monotonic,
        interval: float = 0.2,
    ) -> None:
        self.out, self.file, self.clock, self.interval = out, file, clock, interval
        self.size = os.fstat(file.fileno()).st_size
        self.started = clock()
        self.drawn = -math.inf
        self.report: ImportReport | None = None

    def __call__(self, report: ImportReport) -> None:
        self.report = report
        now = self.clock()
        if now - self.drawn >= self.interval:
            self.drawn = now
            self._draw(report, now, done=False)

    def close(self) -> None:
        """The last figures, and the line ended so what follows starts on its own."""
        if self.report is not None:
            self._draw(self.report, self.clock(), done=True)
            self.out.write("", style_func=_plain)

    def _draw(self, report: ImportReport, now: float, *, done: bool) -> None:
        rows = report.subjects + report.refused
        elapsed = now - self.started
        position = self.file.tell()
        rate = rows / elapsed if elapsed > 0 else 0.0
        if done:
            left = f"in {_duration(elapsed)}"
        elif position:
            left = f"ETA {_duration(elapsed * (self.size - position) / position)}"
        else:
            left = "ETA ?"
        fraction = position / self.size if self.size else 1.0
        text = f"{fraction:4.0%}  {rows:,} rows read  {rate:,.0f} rows/s  {left}"
        self.out.write("\r" + text.ljust(self.WIDTH), style_func=_plain, ending="")
        self.out.flush()


def _plain(text: str) -> str:
    """The bar as it is: not in the error colour OutputWrapper gives stderr on a terminal."""
    return text


def _duration(seconds: float) -> str:
    minutes, second = divmod(round(seconds), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02}:{second:02}" if hours else f"{minute}:{second:02}"


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
