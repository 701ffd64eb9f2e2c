"""CSV import of erasure requests, streamed: each bad row is reported by line, the rest imported.

One code path (`rows_import`) serves `manage.py import_requests`, the console upload, and the
preview that runs every check without writing (`import_preview.requests_preview`).

Columns: `identity` or `user_id` (one per row), optional `email`, `jurisdiction`, `received_at`
(ISO 8601), `external_ref`. One request per row; rows sharing `external_ref` form one request.

What spreadsheets write is read as meant: a UTF-8 byte order mark, CRLF line endings, quoted
fields spanning lines (line numbers count physical lines, so the rows after stay right), and `;`
as the delimiter. The delimiter is decided from the header line alone: `;` when the header holds
a `;` and no `,`, otherwise `,`. Data rows are never sniffed: an identity may hold either. Refused
with the line number: a file that is not UTF-8 (the whole file: nothing is imported), a field
holding NUL (that row: PostgreSQL cannot store NUL in text).

Checks across rows run on chunks of ROW_CHUNK rows:
- the same subject (kind and exact value) twice in the file: the later row is refused as a
  duplicate naming the first one's line;
- a subject already named by an open request of the same Heap account: imported, with a warning
  naming that request (a new DSAR must be answered on its own; erasing twice is harmless);
- an identity with edge whitespace, invisible characters or non-ASCII letters: imported byte for
  byte, with a warning for the officer.
Memory stays flat whatever the file's length: rows are handled a chunk at a time and the keys met
so far live in a temporary table (`SeenKeys`); what grows is 8 bytes per request created (to
audit and approve them at the end), and the report's lists, which `keep` bounds.
"""

import csv
import hashlib
import secrets
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import chain, islice
from types import TracebackType
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from heapprivacy.audit.actors import Actor
from heapprivacy.erasure.imports.characters import is_invisible, is_lookalike
from heapprivacy.erasure.imports.import_writer import ImportWriter, Staging
from heapprivacy.erasure.lifecycle.nudges import sweeps_nudge
from heapprivacy.erasure.lifecycle.requests import ReceivedOutOfRange, received_at_check
from heapprivacy.erasure.lifecycle.subjects import InvalidSubject, SubjectInput, subject_parse
from heapprivacy.erasure.models import HeapAccount, Subject
from heapprivacy.erasure.records.lookups import joined, keys_in_open_requests
from heapprivacy.pseudonyms import subject_pseudonym

SUBJECT_COLUMNS = ("identity", "user_id")
OPTIONAL_COLUMNS = ("email", "jurisdiction", "received_at", "external_ref")

# Rows read, checked and written together: each chunk costs a fixed number of statements, so
# the larger, the fewer; 5,000 rows keep a chunk's memory near a megabyte.
ROW_CHUNK = 5_000
# Bound parameters per statement on SQLite: under the 999 of the oldest SQLite Django supports.
SQLITE_PARAMS = 900

# Shown as a character's name where Unicode gives none (controls have no name).
CONTROL_NAMES = {"\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN"}
EDGE_SPACE_NAMES = {" ": "space", "\t": "tab", "\n": "line break", "\r": "carriage return"}


class InvalidRow(ValueError):
    """One row is refused; the others are imported."""


class InvalidFile(ValueError):
    """The file cannot be read on (not UTF-8, a bad header): nothing is imported."""


@dataclass
class RowError:
    line: int
    message: str
    duplicate_of: int | None = None  # the line of the first row naming the same subject


@dataclass
class RowWarning:
    line: int
    message: str


@dataclass
class ParsedRow:
    line: int
    subject: SubjectInput
    email: str
    jurisdiction: str
    received_at: datetime | None
    external_ref: str


@dataclass
class NewRequest:
    """A request the file asks for: its first row, and how many of its chunk's rows it has."""

    row: ParsedRow
    subjects: int = 0
    id: int | None = None


@dataclass
class ImportReport:
    """What an import did, or what a preview found it would do.

    The counts are complete; `errors`, `warnings`, `references` and `created` hold the first
    `keep` items (all of them when keep is None).
    """

    references: dict[str, str] = field(default_factory=dict)  # external_ref -> reference
    requests: int = 0
    subjects: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # references of the requests created
    refused: int = 0  # rows refused, duplicates included
    duplicates: int = 0
    in_open_requests: int = 0
    warned: int = 0  # warnings given (one row may get two)
    keep: int | None = None

    def refuse(self, error: RowError) -> None:
        self.refused += 1
        self.duplicates += error.duplicate_of is not None
        if self._room(self.errors):
            self.errors.append(error)

    def warn(self, warning: RowWarning) -> None:
        self.warned += 1
        if self._room(self.warnings):
            self.warnings.append(warning)

    def request_created(self, reference: str, external_ref: str) -> None:
        if self._room(self.created):
            self.created.append(reference)
        if external_ref and self._room(self.references):
            self.references[external_ref] = reference

    def _room(self, items: Collection[object]) -> bool:
        return self.keep is None or len(items) < self.keep


# Handed the requests a chunk begins, returns their ids (in order).
RequestCreator = Callable[[list[NewRequest]], list[int]]
# Handed a chunk's accepted rows, their subjects' keyed hashes and their requests' ids.
SubjectWriter = Callable[[list[ParsedRow], list[str], list[int]], None]
Progress = Callable[[ImportReport], None]


def requests_import(
    lines: Iterable[bytes | str],
    *,
    account: HeapAccount,
    actor: Actor,
    approve: bool = False,
    keep: int | None = None,
    progress: Progress | None = None,
    staging: Staging | None = None,
) -> ImportReport:
    """Import the CSV in `lines`; with `approve`, approve every request it created.

    One transaction: a file that cannot be read to its end (InvalidFile) leaves nothing behind,
    while each refused row is reported and the rest imported. `progress` is handed the running
    report after each chunk (rows read, imported, refused so far). Written in bulk
    (import_writer.py): the statements grow with the chunks, not with the rows.

    With `staging`, a transaction per chunk instead, the requests hidden under its key, and no
    audit event yet: the caller goes on as staging.py says (an InvalidFile then leaves hidden
    rows for it to discard).
    """
    report = ImportReport(keep=keep)
    writer = ImportWriter(account, actor, report, approve=approve, staging=staging)
    write = partial(
        rows_import,
        lines,
        account=account,
        report=report,
        create_requests=writer.create_requests,
        add_subjects=writer.add_subjects,
        progress=progress,
    )
    if staging is not None:
        write()
        return report
    with transaction.atomic():
        write()
        writer.finish()
        if approve:
            sweeps_nudge(report.subjects)
    return report


def rows_import(
    lines: Iterable[bytes | str],
    *,
    account: HeapAccount,
    report: ImportReport,
    create_requests: RequestCreator,
    add_subjects: SubjectWriter,
    progress: Progress | None = None,
) -> None:
    """Read and check `lines` a chunk at a time, handing each accepted row over.

    `create_requests` is handed the requests each chunk begins (a row without external_ref, or
    the first row of an external_ref); `add_subjects` each chunk's accepted rows with their
    requests. The import writes there; the preview only counts.
    """
    with SeenKeys() as seen:
        # Subjects this import adds come after this id: only those before it are "open requests".
        last_before = Subject.objects.aggregate(last=Max("pk"))["last"] or 0
        for chunk in _chunks(_rows(_decoded(iter(lines))), ROW_CHUNK):
            accepted, hashes = _check(chunk, account, seen, last_before, report)
            owners = _request_ids(accepted, seen, create_requests, report)
            add_subjects(accepted, hashes, owners)
            report.subjects += len(accepted)
            if progress is not None:
                progress(report)


# --- Reading: bytes to lines to rows --------------------------------------------------------


def _decoded(lines: Iterator[bytes | str]) -> Iterator[str]:
    for number, line in enumerate(lines, start=1):
        text = line if isinstance(line, str) else _decode(line, number)
        yield text.removeprefix("\ufeff") if number == 1 else text


def _decode(line: bytes, number: int) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as error:
        if number == 1 and line.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InvalidFile("line 1: the file is UTF-16; save it as CSV UTF-8") from None
        raise InvalidFile(
            f"line {number}: not valid UTF-8 (byte 0x{line[error.start]:02X}); "
            "save the file as CSV UTF-8"
        ) from None


def _rows(lines: Iterator[str]) -> Iterator[ParsedRow | RowError]:
    """Each data row parsed, or the reason it is refused, with the line it starts on."""
    first = next(lines, "")
    if "\r" in first.rstrip("\r\n"):
        raise InvalidFile(
            "line 1: lines end in a lone carriage return; save the file with Windows (CRLF) "
            "or Unix (LF) line endings"
        )
    reader = csv.reader(chain([first], lines), delimiter=_delimiter(first))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
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
            yield RowError(start, str(error))
            continue
        line = reader.line_num
        if not any(values):
            continue
        try:
            yield _parse(start, dict(zip(header, values, strict=False)), len(values), len(header))
        except InvalidRow as error:
            yield RowError(start, str(error))


def _delimiter(header_line: str) -> str:
    """`;` for a header like `identity;email` (spreadsheets in comma-decimal locales)."""
    return ";" if ";" in header_line and "," not in header_line else ","


def _check_header(header: list[str]) -> None:
    if not any(column in header for column in SUBJECT_COLUMNS):
        raise InvalidFile("line 1: the header needs an identity or a user_id column")
    unknown = set(header) - set(SUBJECT_COLUMNS) - set(OPTIONAL_COLUMNS) - {""}
    if unknown:
        raise InvalidFile(
            f"line 1: unknown columns: {', '.join(sorted(unknown))} (the first line names the "
            f"columns: {', '.join(SUBJECT_COLUMNS + OPTIONAL_COLUMNS)})"
        )
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise InvalidFile(f"line 1: columns named twice: {', '.join(repeated)}")


def _parse(line: int, row: dict[str, str], width: int, header_width: int) -> ParsedRow:
    if width != header_width:
        raise InvalidRow(f"{width} fields where the header has {header_width}")
    with_nul = [name for name, value in row.items() if "\x00" in value]
    if with_nul:
        raise InvalidRow(f"{', '.join(with_nul)}: contains a NUL character, which cannot be stored")
    return ParsedRow(
        line=line,
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
    try:
        received_at_check(parsed)
    except ReceivedOutOfRange as error:
        raise InvalidRow(str(error)) from None
    return parsed


# --- Checking a chunk: duplicates, open requests, flags --------------------------------------


def _check(
    chunk: list[ParsedRow | RowError],
    account: HeapAccount,
    seen: "SeenKeys",
    last_before: int,
    report: ImportReport,
) -> tuple[list[ParsedRow], list[str]]:
    """The rows of `chunk` to import, in file order, with their subjects' keyed hashes; the
    others reported, also in file order."""
    parsed = [item for item in chunk if isinstance(item, ParsedRow)]
    hashes = {id(row): subject_pseudonym(row.subject.value) for row in parsed}
    keys = [_subject_key(row.subject) for row in parsed]
    first_lines = seen.get(set(keys))
    open_references = keys_in_open_requests(
        {(row.subject.kind, hashes[id(row)]) for row in parsed},
        account_id=account.pk,
        up_to_subject=last_before,
    )
    accepted: list[ParsedRow] = []
    new: dict[str, int] = {}
    keys_in_order = iter(keys)
    for item in chunk:
        if isinstance(item, RowError):
            report.refuse(item)
            continue
        key = next(keys_in_order)
        first = first_lines.get(key)
        if first is not None:
            report.refuse(
                RowError(
                    item.line,
                    f"duplicate of line {first}: the same {item.subject.kind} is already in "
                    "this file",
                    duplicate_of=first,
                )
            )
            continue
        first_lines[key] = new[key] = item.line
        _warn(item, open_references.get((item.subject.kind, hashes[id(item)])), report)
        accepted.append(item)
    seen.add(new)
    return accepted, [hashes[id(row)] for row in accepted]


def _warn(row: ParsedRow, open_reference: str | None, report: ImportReport) -> None:
    if row.subject.kind == Subject.Kind.IDENTITY:
        flags = identity_flags(row.subject.value)
        if flags:
            report.warn(RowWarning(row.line, f"identity: {'; '.join(flags)}"))
    if open_reference:
        report.in_open_requests += 1
        report.warn(
            RowWarning(row.line, f"{row.subject.kind} is already in open request {open_reference}")
        )


def identity_flags(value: str) -> list[str]:
    """What an officer should look at twice in an identity that is otherwise kept as given.

    Edge whitespace ("leading space"), characters nobody can see ("invisible U+200B ZERO WIDTH
    SPACE") and letters outside ASCII that may pass for ASCII ones ("non-ASCII letter U+0430
    CYRILLIC SMALL LETTER A"), by the rule of characters.py that the console shows too.
    """
    if value.isascii() and value.isprintable() and value.strip(" ") == value:
        return []  # nearly every identity: the per-character walk below is the slow path
    flags: list[str] = []
    edges = set()
    if value[:1].isspace():
        flags.append(f"leading {_space_name(value[0])}")
        edges.add(0)
    if len(value) > 1 and value[-1].isspace():
        flags.append(f"trailing {_space_name(value[-1])}")
        edges.add(len(value) - 1)
    for index, char in enumerate(value):
        if index in edges or char == " ":
            continue
        if is_invisible(char):
            flag = f"invisible {_code_point(char)}"
        elif unicodedata.category(char).startswith("M"):
            flag = f"combining mark {_code_point(char)}"
        elif is_lookalike(char):
            flag = f"non-ASCII letter {_code_point(char)}"
        else:
            continue
        if flag not in flags:
            flags.append(flag)
    return flags


def _space_name(char: str) -> str:
    return EDGE_SPACE_NAMES.get(char) or _code_point(char)


def _code_point(char: str) -> str:
    name = unicodedata.name(char, "") or CONTROL_NAMES.get(char, "control character")
    return f"U+{ord(char):04X} {name}"


# --- Requests and subjects ------------------------------------------------------------------


def _request_ids(
    rows: list[ParsedRow], seen: "SeenKeys", create: RequestCreator, report: ImportReport
) -> list[int]:
    """The request of each row, in order: rows sharing an external_ref share one request."""
    known = seen.get({_ref_key(row.external_ref) for row in rows if row.external_ref})
    new: list[NewRequest] = []
    begun: dict[str, NewRequest] = {}
    owners: list[int | NewRequest] = []
    for row in rows:
        key = _ref_key(row.external_ref) if row.external_ref else None
        if key in known:
            owners.append(known[key])
            continue
        owner = begun.get(key) if key else None
        if owner is None:
            owner = NewRequest(row)
            new.append(owner)
            if key:
                begun[key] = owner
        owner.subjects += 1
        owners.append(owner)
    for owner, request_id in zip(new, create(new), strict=True):
        owner.id = request_id
    report.requests += len(new)
    seen.add({key: _created_id(owner) for key, owner in begun.items()})
    return [owner if isinstance(owner, int) else _created_id(owner) for owner in owners]


def _created_id(owner: NewRequest) -> int:
    if owner.id is None:
        raise ValueError("a new request was handed back without its id")
    return owner.id


# --- Keys met so far ------------------------------------------------------------------------


def _subject_key(subject: SubjectInput) -> str:
    return _digest(f"{subject.kind}\x00{subject.value}")  # a value never holds NUL


def _ref_key(external_ref: str) -> str:
    return _digest(f"external_ref\x00{external_ref}")


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class SeenKeys:
    """The keys met so far in one file, each with a number, in a temporary table.

    Subject keys map to the line they were first met on; external_ref keys to their request.
    In memory, a set of 16-byte digests costs ~100 bytes a row (~100 MB per 1,000,000 rows);
    here it costs the database's temporary space (SQLite's temp store, PostgreSQL's temp_buffers
    then disk) and nothing in this process. The table is private to the connection, holds
    128-bit BLAKE2b digests (never an identity), and is dropped at the end, whatever the end;
    should that fail, the rollback or the closing connection takes it along.
    """

    def __init__(self) -> None:
        self.table = f"import_seen_{secrets.token_hex(8)}"

    def __enter__(self) -> "SeenKeys":
        self._execute(
            f"CREATE TEMPORARY TABLE {self.table} "
            "(digest VARCHAR(32) PRIMARY KEY, number BIGINT NOT NULL)"
        )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # After a database error no query may run until the rollback, which drops the table
        # anyway: then this DROP fails and that failure is not the one to report.
        with suppress(DatabaseError):
            self._execute(f"DROP TABLE IF EXISTS {self.table}")

    def get(self, keys: Collection[str]) -> dict[str, int]:
        if connection.vendor == "postgresql":
            sql = (
                f"SELECT digest, number FROM {self.table} "  # nosec B608  # noqa: S608 - our own table name, values bound
                "WHERE digest = ANY(string_to_array(%s, ','))"
            )
            return dict(self._execute(sql, [joined(keys)]))
        found: dict[str, int] = {}
        for part in _chunks(iter(keys), SQLITE_PARAMS):
            marks = ", ".join(["%s"] * len(part))
            sql = f"SELECT digest, number FROM {self.table} WHERE digest IN ({marks})"  # nosec B608  # noqa: S608 - as above
            found.update(self._execute(sql, part))
        return found

    def add(self, numbers: dict[str, int]) -> None:
        if not numbers:
            return
        if connection.vendor == "postgresql":
            sql = (
                f"INSERT INTO {self.table} (digest, number) "  # nosec B608  # noqa: S608 - as above
                "SELECT d, n::bigint FROM unnest(string_to_array(%s, ','), "
                "string_to_array(%s, ',')) AS pairs(d, n)"
            )
            self._execute(sql, [joined(numbers), joined(numbers.values())])
            return
        for part in _chunks(iter(numbers.items()), SQLITE_PARAMS // 2):
            marks = ", ".join(["(%s, %s)"] * len(part))
            sql = f"INSERT INTO {self.table} (digest, number) VALUES {marks}"  # nosec B608  # noqa: S608 - as above
            self._execute(sql, [value for pair in part for value in pair])

    def _execute(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(items, size)):
        yield chunk
