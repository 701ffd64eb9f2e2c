"""CSV import of erasure requests, streamed: each bad row is reported by line, the rest imported.

Columns: `identity` or `user_id` (one per row), optional `email`, `jurisdiction`, `received_at`
(ISO 8601), `external_ref`. One request per row; rows sharing `external_ref` form one request.
Subjects are written in chunks of SUBJECT_CHUNK; what stays in memory is the id of each request
created (8 bytes each) and the mapping of external_ref to request id.
"""

import csv
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.models import ErasureRequest, HeapAccount
from heapprivacy.erasure.requests import (
    SUBJECT_CHUNK,
    request_approve,
    request_create,
    subjects_add,
)
from heapprivacy.erasure.subjects import InvalidSubject, SubjectInput, subject_parse

SUBJECT_COLUMNS = ("identity", "user_id")
OPTIONAL_COLUMNS = ("email", "jurisdiction", "received_at", "external_ref")


class InvalidRow(ValueError):
    """One row is refused; the others are imported."""


class InvalidFile(ValueError):
    """The file cannot be read on (not UTF-8, a malformed CSV record): nothing is imported."""


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ParsedRow:
    subject: SubjectInput
    email: str
    jurisdiction: str
    received_at: datetime | None
    external_ref: str


@dataclass
class ImportReport:
    references: dict[str, str] = field(default_factory=dict)
    requests: int = 0
    subjects: int = 0
    errors: list[RowError] = field(default_factory=list)


def requests_import(
    lines: Iterable[bytes | str], *, account: HeapAccount, actor: Actor, approve: bool = False
) -> ImportReport:
    """Import the CSV in `lines`; with `approve`, approve every request it created.

    One transaction: a file that cannot be read to its end (InvalidFile) leaves nothing behind,
    while each refused row is reported and the rest imported.
    """
    with transaction.atomic():
        return _import(_decoded(lines), account, actor, approve)


def _import(
    lines: Iterator[str], account: HeapAccount, actor: Actor, approve: bool
) -> ImportReport:
    report = ImportReport()
    pending: dict[int, list[SubjectInput]] = {}
    by_ref: dict[str, int] = {}
    created = array("q")
    for _line, row in _rows(lines, report):
        request_id = by_ref.get(row.external_ref) if row.external_ref else None
        if request_id is None:
            request_id = _request_create(row, account, actor, report)
            created.append(request_id)
            if row.external_ref:
                by_ref[row.external_ref] = request_id
        pending.setdefault(request_id, []).append(row.subject)
        report.subjects += 1
        if report.subjects % SUBJECT_CHUNK == 0:
            _flush(pending, account)
    _flush(pending, account)
    _finish(created, actor, approve)
    return report


def _decoded(lines: Iterable[bytes | str]) -> Iterator[str]:
    for number, line in enumerate(lines, start=1):
        if isinstance(line, str):
            yield line
            continue
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidFile(f"line {number}: not valid UTF-8") from None


def _rows(lines: Iterator[str], report: ImportReport) -> Iterator[tuple[int, ParsedRow]]:
    reader = csv.reader(lines)
    try:
        header = [name.strip().lstrip("\ufeff").lower() for name in next(reader, [])]
    except csv.Error as error:
        raise InvalidFile(f"line 1: {error}") from None
    _check_header(header)
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # e.g. a field over the csv module's size limit
            line = reader.line_num
            report.errors.append(RowError(start, str(error)))
            continue
        line = reader.line_num
        if not any(values):
            continue
        try:
            yield start, _parse(dict(zip(header, values, strict=False)), len(values), len(header))
        except InvalidRow as error:
            report.errors.append(RowError(start, str(error)))


def _check_header(header: list[str]) -> None:
    if not any(column in header for column in SUBJECT_COLUMNS):
        raise InvalidFile("line 1: the header needs an identity or a user_id column")
    unknown = set(header) - set(SUBJECT_COLUMNS) - set(OPTIONAL_COLUMNS) - {""}
    if unknown:
        raise InvalidFile(f"line 1: unknown columns: {', '.join(sorted(unknown))}")


def _parse(row: dict[str, str], width: int, header_width: int) -> ParsedRow:
    if width != header_width:
        raise InvalidRow(f"{width} fields where the header has {header_width}")
    if any("\x00" in value for value in row.values()):
        raise InvalidRow("a field contains a NUL character")
    return ParsedRow(
        subject=_subject(row),
        email=_email(row.get("email", "").strip()),
        jurisdiction=_jurisdiction(row.get("jurisdiction", "").strip()),
        received_at=_received_at(row.get("received_at", "").strip()),
        external_ref=row.get("external_ref", "").strip(),
    )


def _subject(row: dict[str, str]) -> SubjectInput:
    given = [(kind, row[kind]) for kind in SUBJECT_COLUMNS if row.get(kind)]
    if len(given) != 1:
        raise InvalidRow("give exactly one of identity or user_id")
    kind, value = given[0]
    try:
        return subject_parse(kind, value)
    except InvalidSubject as error:
        raise InvalidRow(str(error)) from None


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise InvalidRow("email is not an email address") from None
    return value


def _jurisdiction(value: str) -> str:
    value = value or settings.DEFAULT_JURISDICTION
    if value not in settings.JURISDICTIONS:
        raise InvalidRow(
            f"unknown jurisdiction {value!r} (known: {', '.join(settings.JURISDICTIONS)})"
        )
    return value


def _received_at(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parse_datetime(value) or datetime.fromisoformat(value)
    except ValueError:
        raise InvalidRow(f"received_at {value!r} is not an ISO 8601 date") from None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    if parsed > timezone.now():
        raise InvalidRow("received_at is in the future")
    return parsed


def _request_create(
    row: ParsedRow, account: HeapAccount, actor: Actor, report: ImportReport
) -> int:
    request = request_create(
        source=ErasureRequest.Source.CSV,
        jurisdiction=row.jurisdiction,
        account=account,
        subjects=[],
        actor=actor,
        received_at=row.received_at,
        requester_email=row.email,
        external_ref=row.external_ref,
    )
    report.requests += 1
    if row.external_ref:
        report.references[row.external_ref] = request.reference
    return request.pk


def _flush(pending: dict[int, list[SubjectInput]], account: HeapAccount) -> None:
    requests = ErasureRequest.objects.in_bulk(list(pending))
    for request_id, items in pending.items():
        subjects_add(requests[request_id], account, items)
    pending.clear()


def _finish(request_ids: Iterable[int], actor: Actor, approve: bool) -> None:
    for request_id in request_ids:
        request = ErasureRequest.objects.get(pk=request_id)
        audit_record(
            "request.subjects_imported",
            actor=actor,
            target=request,
            request_ref=request.reference,
            details={"subjects": request.subjects.count()},
        )
        if approve:
            request_approve(request, actor=actor)
