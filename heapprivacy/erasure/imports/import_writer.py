"""What a CSV import writes, in bulk: a fixed number of statements per chunk of rows.

Per chunk: the new requests and their subjects each in one `COPY` on PostgreSQL, a bulk INSERT
on SQLite (heapprivacy/bulkcopy.py; references reserved once per year, deadlines computed here
with Heap's processing time read once per import); one probe for the keys Heap erased before;
one UPDATE of the subject counts of requests begun in earlier chunks. At the end, per
BULK_CHUNK requests: their `request.created` events (with their subject counts), any
`request.previously_erased`, and with `approve` their `request.approved` events. An approved
import writes its requests approved and its subjects queued from the start, so approval never
rewrites them.

Inside the caller's transaction, or, given a `Staging`, each chunk's requests and its subjects
in transactions of their own, the requests hidden under the staging key (staging.py): then
`finish` is not called here, staging.staged_requests_audit records the events.
"""

from __future__ import annotations

import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Case, Count, F, QuerySet, Value, When
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record_many
from heapprivacy.bulkcopy import rows_insert
from heapprivacy.erasure.legal.clock import clock_fields, heap_processing_time
from heapprivacy.erasure.lifecycle.references import references_allocate
from heapprivacy.erasure.models import ErasureRequest, HeapAccount, Subject
from heapprivacy.erasure.records.lookups import keys_erased_before

if TYPE_CHECKING:
    from heapprivacy.erasure.imports.importer import ImportReport, NewRequest, ParsedRow

BULK_CHUNK = 2_000  # requests per INSERT, audit read and approval UPDATE
# Rows per transaction of a staged import: each holds SQLite's write lock for a tenth of a second
# or so (bench/sqlite_lock.py), so the sweeps and the console never wait long for it.
STAGED_ROWS = 1_000
STAGED_PAUSE = 0.1  # seconds between two of them on SQLite (staged_transaction)
CLOCKS_KEPT = 4_096  # computed deadlines remembered, by jurisdiction and receipt time


@dataclass(frozen=True)
class Staging:
    """An import written in short transactions, its requests hidden under `key` until it
    completes. `checkpoint` runs inside each of them, first: it raises to stop the import
    (its run lost its claim), rolling that transaction back."""

    key: str
    checkpoint: Callable[[], None]


class ImportWriter:
    """Writes one import, chunk by chunk: in the caller's transaction, or staged."""

    def __init__(
        self,
        account: HeapAccount,
        actor: Actor,
        report: ImportReport,
        *,
        approve: bool,
        staging: Staging | None = None,
    ) -> None:
        if approve and staging is not None:
            raise ValueError("a staged import is never approved: its requests are unseen")
        self.account = account
        self.actor = actor
        self.report = report
        self.approve = approve
        self.staging = staging
        self.now = timezone.now()
        self.processing = heap_processing_time()
        self.created = array("q")  # 8 bytes per request: what finish() audits and approves
        self.fresh: set[int] = set()  # requests created in the current chunk
        self.clocks: dict[tuple[str, datetime], dict[str, object]] = {}
        # An approved import writes its requests approved: one transaction, so nobody ever
        # sees them otherwise, and no UPDATE rewrites them (their events say received, then
        # approved, in that order).
        self._decision = (
            {
                "state": ErasureRequest.State.APPROVED,
                "decision": ErasureRequest.Decision.APPROVED,
                "decided_at": self.now,
                "decided_by_id": actor.user_id,
            }
            if approve
            else {}
        )

    def create_requests(self, new: list[NewRequest]) -> list[int]:
        rows = [self._request(item) for item in new]
        ids: list[int] = []
        for part in self._parts(rows):
            with self._transaction():
                self._references_assign(part)
                ids.extend(rows_insert(ErasureRequest, part, returning_ids=True))
        if self.staging is None:
            self.created.extend(ids)
        self.fresh = set(ids)
        for row, item in zip(rows, new, strict=True):
            self.report.request_created(row["reference"], item.row.external_ref)
        return ids

    def add_subjects(self, rows: list[ParsedRow], hashes: list[str], owners: list[int]) -> None:
        keys = [
            (row.subject.kind, value_hmac) for row, value_hmac in zip(rows, hashes, strict=True)
        ]
        erased = keys_erased_before(set(keys))
        subjects = self._subject_rows(rows, owners, keys, erased)
        added = Counter(owner for owner in owners if owner not in self.fresh)
        if added:
            with self._transaction():
                self._counts_add(added)
        for part in self._parts(subjects):
            with self._transaction():
                rows_insert(Subject, part)

    def _subject_rows(
        self,
        rows: list[ParsedRow],
        owners: list[int],
        keys: list[tuple[str, str]],
        erased: set[tuple[str, str]],
    ) -> list[dict[str, Any]]:
        state, queued_at = (
            (Subject.State.QUEUED, self.now) if self.approve else (Subject.State.PENDING, None)
        )
        account = self.account.pk
        return [
            {
                "request_id": owner,
                "account_id": account,
                "kind": key[0],
                "value": row.subject.value,
                "value_hmac": key[1],
                "previously_erased": key in erased,
                "state": state,
                "queued_at": queued_at,
            }
            for row, owner, key in zip(rows, owners, keys, strict=True)
        ]

    def finish(self) -> None:
        """Audit every request created, and approve them when asked (see the module docstring)."""
        for ids in _chunks(iter(self.created), BULK_CHUNK):
            rows = requests_audited(ErasureRequest.objects.filter(pk__in=ids), self.actor)
            if self.approve:
                self._approve(rows)

    def _parts(self, rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
        """`rows` whole in the caller's transaction; staged, STAGED_ROWS per transaction."""
        if self.staging is None:
            yield rows
            return
        yield from _chunks(iter(rows), STAGED_ROWS)

    def _transaction(self) -> AbstractContextManager[object]:
        if self.staging is None:
            return nullcontext()
        return staged_transaction(self.staging.checkpoint)

    def _request(self, item: NewRequest) -> dict[str, Any]:
        row = item.row
        received_at = row.received_at or self.now
        return {
            "staged_import": self.staging.key if self.staging else "",
            "source": ErasureRequest.Source.CSV,
            "jurisdiction": row.jurisdiction,
            "received_at": received_at,
            "requester_email": row.email,
            "external_ref": row.external_ref,
            "created_by_id": self.actor.user_id,
            "subject_count": item.subjects,
            "created_at": self.now,
            **self._clock(row.jurisdiction, received_at),
            **self._decision,
        }

    def _clock(self, jurisdiction: str, received_at: datetime) -> dict[str, object]:
        """clock_fields, once per jurisdiction and receipt time: rows without received_at all
        share the import's, and computing business days (holidays) is the slow part."""
        key = (jurisdiction, received_at)
        if key not in self.clocks:
            if len(self.clocks) >= CLOCKS_KEPT:  # a file of distinct receipt times: stay flat
                self.clocks.clear()
            unsaved = ErasureRequest(jurisdiction=jurisdiction, received_at=received_at)
            self.clocks[key] = clock_fields(unsaved, self.processing)
        return self.clocks[key]

    @staticmethod
    def _references_assign(rows: list[dict[str, Any]]) -> None:
        years = Counter(row["received_at"].year for row in rows)
        references = {year: iter(references_allocate(year, n)) for year, n in years.items()}
        for row in rows:
            row["reference"] = next(references[row["received_at"].year])

    @staticmethod
    def _counts_add(added: Counter[int]) -> None:
        """Subjects added to requests created in earlier chunks (rows sharing external_ref)."""
        increment = Case(*(When(pk=pk, then=Value(n)) for pk, n in added.items()))
        ErasureRequest.with_staged.filter(pk__in=list(added)).update(
            subject_count=F("subject_count") + increment
        )

    def _approve(self, rows: list[AuditedRow]) -> None:
        self._audit(
            "request.approved",
            ((pk, reference, {"subjects_queued": count}) for pk, reference, _, count in rows),
        )

    def _audit(self, action: str, events: Iterator) -> None:
        audit_record_many(action, actor=self.actor, model=ErasureRequest, events=events)


AuditedRow = tuple[int, str, str, int]  # pk, reference, jurisdiction, subject_count


def requests_audited(requests: QuerySet[ErasureRequest], actor: Actor) -> list[AuditedRow]:
    """Record `request.created` for the imported `requests` (at most BULK_CHUNK), and
    `request.previously_erased` for those naming a subject Heap erased before."""
    rows: list[AuditedRow] = list(
        requests.order_by("pk").values_list("pk", "reference", "jurisdiction", "subject_count")
    )
    audit_record_many(
        "request.created",
        actor=actor,
        model=ErasureRequest,
        events=(
            (pk, reference, {"source": "csv", "jurisdiction": where, "subjects": count})
            for pk, reference, where, count in rows
        ),
    )
    flagged = dict(
        Subject.objects.filter(request_id__in=[row[0] for row in rows], previously_erased=True)
        .values_list("request_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    audit_record_many(
        "request.previously_erased",
        actor=Actor.system("retention"),
        model=ErasureRequest,
        events=(
            (pk, reference, {"subjects": flagged[pk]})
            for pk, reference, _, _ in rows
            if pk in flagged
        ),
    )
    return rows


@contextmanager
def staged_transaction(checkpoint: Callable[[], None]) -> Iterator[None]:
    """One transaction of a staged import, `checkpoint` first; then, on SQLite, a pause.

    A writer waiting for SQLite's lock sleeps between tries, up to 100 ms apart: an import that
    took the lock again at once would win it every time and starve the sweeps. The pause lets
    them in; PostgreSQL's writers wait on row locks, not on this one, and get no pause.
    """
    with transaction.atomic():
        checkpoint()
        yield
    if connection.vendor == "sqlite":
        time.sleep(STAGED_PAUSE)


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(items, size)):
        yield chunk
