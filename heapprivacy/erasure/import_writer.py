"""What a CSV import writes, in bulk: a fixed number of statements per chunk of rows.

Per chunk: the new requests in one INSERT (references reserved once per year, deadlines
computed here with Heap's processing time read once per import), the subjects in one `COPY`
(PostgreSQL) or bulk INSERT (SQLite), one probe for the keys Heap erased before, one UPDATE of
the subject counts of requests begun in earlier chunks. At the end, per BULK_CHUNK requests:
their `request.created` events (with their subject counts), any `request.previously_erased`,
and with `approve` one UPDATE approving them and their `request.approved` events. Subjects of an
approved import are written queued from the start, so approval never rewrites them.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Case, F, Value, When
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record_many
from heapprivacy.erasure.clock import clock_fields, heap_processing_time
from heapprivacy.erasure.lookups import keys_erased_before
from heapprivacy.erasure.models import ErasureRequest, HeapAccount, Subject
from heapprivacy.erasure.references import references_allocate
from heapprivacy.erasure.transitions import REQUEST_TRANSITIONS

if TYPE_CHECKING:
    from heapprivacy.erasure.importer import ImportReport, NewRequest, ParsedRow

BULK_CHUNK = 2_000  # requests per INSERT, audit read and approval UPDATE
SUBJECT_COLUMNS = (
    "request_id",
    "account_id",
    "kind",
    "value",
    "value_hmac",
    "previously_erased",
    "state",
    "queued_at",
)


class ImportWriter:
    """Writes one import, chunk by chunk, inside the caller's transaction."""

    def __init__(
        self, account: HeapAccount, actor: Actor, report: ImportReport, *, approve: bool
    ) -> None:
        self.account = account
        self.actor = actor
        self.report = report
        self.approve = approve
        self.now = timezone.now()
        self.processing = heap_processing_time()
        self.created = array("q")  # 8 bytes per request: what finish() audits and approves
        self.fresh: set[int] = set()  # requests created in the current chunk
        self.flagged: Counter[int] = Counter()  # previously erased subjects, by request

    def create_requests(self, new: list[NewRequest]) -> list[int]:
        requests = [self._request(item) for item in new]
        self._references_assign(requests)
        ErasureRequest.objects.bulk_create(requests, batch_size=BULK_CHUNK)
        ids = [request.pk for request in requests]
        self.created.extend(ids)
        self.fresh = set(ids)
        for request, item in zip(requests, new, strict=True):
            self.report.request_created(request.reference, item.row.external_ref)
        return ids

    def add_subjects(self, rows: list[ParsedRow], hashes: list[str], owners: list[int]) -> None:
        keys = [
            (row.subject.kind, value_hmac) for row, value_hmac in zip(rows, hashes, strict=True)
        ]
        erased = keys_erased_before(set(keys))
        state, queued_at = (
            (Subject.State.QUEUED, self.now) if self.approve else (Subject.State.PENDING, None)
        )
        account = self.account.pk
        records = [
            (owner, account, key[0], row.subject.value, key[1], key in erased, state, queued_at)
            for row, owner, key in zip(rows, owners, keys, strict=True)
        ]
        self.flagged.update(owner for owner, key in zip(owners, keys, strict=True) if key in erased)
        _subjects_write(records)
        self._counts_add(Counter(owner for owner in owners if owner not in self.fresh))

    def finish(self) -> None:
        """Audit every request created, and approve them when asked (see the module docstring)."""
        for ids in _chunks(iter(self.created), BULK_CHUNK):
            rows = list(
                ErasureRequest.objects.filter(pk__in=ids)
                .order_by("pk")
                .values_list("pk", "reference", "jurisdiction", "subject_count")
            )
            self._audit(
                "request.created",
                (
                    (pk, reference, {"source": "csv", "jurisdiction": where, "subjects": count})
                    for pk, reference, where, count in rows
                ),
            )
            self._audit(
                "request.previously_erased",
                (
                    (pk, reference, {"subjects": self.flagged[pk]})
                    for pk, reference, _, _ in rows
                    if self.flagged[pk]
                ),
                actor=Actor.system("retention"),
            )
            if self.approve:
                self._approve(rows)

    def _request(self, item: NewRequest) -> ErasureRequest:
        row = item.row
        request = ErasureRequest(
            source=ErasureRequest.Source.CSV,
            jurisdiction=row.jurisdiction,
            received_at=row.received_at or self.now,
            requester_email=row.email,
            external_ref=row.external_ref,
            created_by_id=self.actor.user_id,
            subject_count=item.subjects,
        )
        for name, value in clock_fields(request, self.processing).items():
            setattr(request, name, value)
        return request

    @staticmethod
    def _references_assign(requests: list[ErasureRequest]) -> None:
        years = Counter(request.received_at.year for request in requests)
        references = {year: iter(references_allocate(year, n)) for year, n in years.items()}
        for request in requests:
            request.reference = next(references[request.received_at.year])

    @staticmethod
    def _counts_add(added: Counter[int]) -> None:
        """Subjects added to requests created in earlier chunks (rows sharing external_ref)."""
        if added:
            increment = Case(*(When(pk=pk, then=Value(n)) for pk, n in added.items()))
            ErasureRequest.objects.filter(pk__in=list(added)).update(
                subject_count=F("subject_count") + increment
            )

    def _approve(self, rows: list[tuple[int, str, str, int]]) -> None:
        allowed, approved = REQUEST_TRANSITIONS["approve"]
        ErasureRequest.objects.filter(pk__in=[row[0] for row in rows], state__in=allowed).update(
            state=approved,
            decision=ErasureRequest.Decision.APPROVED,
            decided_at=self.now,
            decided_by_id=self.actor.user_id,
        )
        self._audit(
            "request.approved",
            ((pk, reference, {"subjects_queued": count}) for pk, reference, _, count in rows),
        )

    def _audit(self, action: str, events: Iterator, actor: Actor | None = None) -> None:
        audit_record_many(action, actor=actor or self.actor, model=ErasureRequest, events=events)


def _subjects_write(records: list[tuple]) -> None:
    """COPY on PostgreSQL (several times faster than INSERT); bulk INSERT on SQLite."""
    if connection.vendor == "postgresql":
        columns = ", ".join(SUBJECT_COLUMNS)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {Subject._meta.db_table} ({columns}) FROM STDIN") as copy,
        ):
            for record in records:
                copy.write_row(record)
        return
    Subject.objects.bulk_create(
        Subject(**dict(zip(SUBJECT_COLUMNS, record, strict=True))) for record in records
    )


def _chunks(items: Iterator[int], size: int) -> Iterator[list[int]]:
    while chunk := list(islice(items, size)):
        yield chunk
