"""What a CSV import writes, in bulk: a fixed number of statements per chunk of rows.

Per chunk: the new requests and their subjects each in one `COPY` on PostgreSQL, a bulk INSERT
on SQLite (heapprivacy/bulkcopy.py; references reserved once per year, deadlines computed here
with Heap's processing time read once per import); one probe for the keys Heap erased before;
one UPDATE of the subject counts of requests begun in earlier chunks. At the end, per
BULK_CHUNK requests: their `request.created` events (with their subject counts), any
`request.previously_erased`, and with `approve` their `request.approved` events. An approved
import writes its requests approved and its subjects queued from the start, so approval never
rewrites them.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.db.models import Case, F, Value, When
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
CLOCKS_KEPT = 4_096  # computed deadlines remembered, by jurisdiction and receipt time


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
        self._references_assign(rows)
        ids = rows_insert(ErasureRequest, rows, returning_ids=True)
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
        state, queued_at = (
            (Subject.State.QUEUED, self.now) if self.approve else (Subject.State.PENDING, None)
        )
        account = self.account.pk
        rows_insert(
            Subject,
            [
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
            ],
        )
        self.flagged.update(owner for owner, key in zip(owners, keys, strict=True) if key in erased)
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

    def _request(self, item: NewRequest) -> dict[str, Any]:
        row = item.row
        received_at = row.received_at or self.now
        return {
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
        if added:
            increment = Case(*(When(pk=pk, then=Value(n)) for pk, n in added.items()))
            ErasureRequest.objects.filter(pk__in=list(added)).update(
                subject_count=F("subject_count") + increment
            )

    def _approve(self, rows: list[tuple[int, str, str, int]]) -> None:
        self._audit(
            "request.approved",
            ((pk, reference, {"subjects_queued": count}) for pk, reference, _, count in rows),
        )

    def _audit(self, action: str, events: Iterator, actor: Actor | None = None) -> None:
        audit_record_many(action, actor=actor or self.actor, model=ErasureRequest, events=events)


def _chunks(items: Iterator[int], size: int) -> Iterator[list[int]]:
    while chunk := list(islice(items, size)):
        yield chunk
