"""Reads shared by services, commands and screens."""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import BatchRequest, DeletionBatch, ErasureRequest, Subject
from heapprivacy.erasure.records.lookups import keys_in_open_requests

Batch = DeletionBatch.State
State = ErasureRequest.State

# A subject not packed yet has the state its request's decision gave it: pending until the
# decision, queued once approved (until packing takes it), rejected once rejected or cancelled
# (a request with packed subjects cannot be cancelled).
UNPACKED_STATE = {
    State.RECEIVED: Subject.State.PENDING,
    State.VERIFIED: Subject.State.PENDING,
    State.REJECTED: Subject.State.REJECTED,
    State.CANCELLED: Subject.State.REJECTED,
}


def batch_request_ids(batch: DeletionBatch) -> list[int]:
    return list(batch.request_links.values_list("request_id", flat=True))


def request_batch_ids(request: ErasureRequest) -> QuerySet[BatchRequest, int]:
    return request.batch_links.values_list("batch_id", flat=True)


def request_batches(request: ErasureRequest) -> QuerySet[DeletionBatch]:
    return DeletionBatch.objects.filter(pk__in=request_batch_ids(request)).order_by("pk")


def subject_counts(request: ErasureRequest) -> dict[str, int]:
    """How many of the request's subjects are in each Subject.State, every state present.

    One query over the request's batch links (a handful of rows, whatever the subject count):
    packed subjects take their batch's state, the others the state of the request's decision.
    """
    counts = dict.fromkeys(Subject.State.values, 0)
    packed = 0
    for row in _links_by_heap_state(request.batch_links.all()):
        counts[row["heap_state"]] += row["n"]
        packed += row["n"]
    unpacked = request.subject_count - packed
    if unpacked:
        counts[UNPACKED_STATE.get(State(request.state), Subject.State.QUEUED)] += unpacked
    return counts


def counts_by_state(rows: QuerySet, states: Iterable[str]) -> dict[str, int]:
    """How many of `rows` are in each of `states`, zeros included: one GROUP BY state."""
    counted = rows.values("state").annotate(n=Count("pk")).order_by()
    by_state = {row["state"]: row["n"] for row in counted}
    return {state: by_state.get(state, 0) for state in states}


def subject_state_totals() -> dict[str, int]:
    """Subjects in each state across all requests (the operators' status report), but those
    of an import still hidden."""
    unpacked = Subject.objects.filter(batch__isnull=True, request__staged_import="")
    counts = counts_by_state(unpacked, Subject.State.values)
    for row in _links_by_heap_state(BatchRequest.objects.all()):
        counts[row["heap_state"]] += row["n"]
    return counts


def _links_by_heap_state(links: QuerySet[BatchRequest]) -> QuerySet:
    heap_state = Case(
        When(batch__state=Batch.COMPLETE, then=Value(Subject.State.ERASED)),
        When(batch__submitted_at__isnull=False, then=Value(Subject.State.SUBMITTED)),
        default=Value(Subject.State.BATCHED),
    )
    return (
        links.annotate(heap_state=heap_state)
        .values("heap_state")
        .annotate(n=Coalesce(Sum("members"), 0))
        .order_by()
    )


def request_timeline(request: ErasureRequest) -> QuerySet[AuditEvent]:
    """Every audit event of the request: its own, and those of the batches holding its subjects."""
    batches = [str(batch_id) for batch_id in request_batch_ids(request)]
    return AuditEvent.objects.filter(
        Q(request_ref=request.reference)
        | Q(target_type="erasure.deletionbatch", target_id__in=batches)
    ).order_by("seq")


@dataclass(frozen=True)
class RequestWarning:
    """Something an officer should know before deciding a new request (its subjects named
    elsewhere), as every intake channel reports it."""

    code: str  # previously_erased | in_open_request
    subjects: int
    message: str
    references: tuple[str, ...] = ()


WARNING_CHUNK = 5_000
WARNING_REFERENCES = 20  # references named in a warning, at most


def request_warnings(request: ErasureRequest) -> list[RequestWarning]:
    """Of a request just created: how many of its subjects Heap erased before, and how many an
    earlier open request of the same Heap account already names (and which requests)."""
    subjects = Subject.objects.filter(request=request).order_by("id")
    first = subjects.values_list("id", flat=True).first()
    if first is None:
        return []
    warnings = []
    erased = subjects.filter(previously_erased=True).count()
    if erased:
        warnings.append(
            RequestWarning(
                "previously_erased",
                erased,
                f"{erased} subject(s) were erased in Heap for an earlier request: erasing "
                "them again is harmless, but check the request before approving it.",
            )
        )
    in_open = _in_open_requests(subjects, before=first)
    if in_open:
        named = sorted(set(in_open.values()))[:WARNING_REFERENCES]
        warnings.append(
            RequestWarning(
                "in_open_request",
                len(in_open),
                f"{len(in_open)} subject(s) are already in open requests of this Heap account: "
                f"{', '.join(named)}. Cancel one of the requests if they are the same.",
                tuple(named),
            )
        )
    return warnings


def _in_open_requests(subjects: QuerySet[Subject], *, before: int) -> dict[int, str]:
    """subject id -> the first open request naming the same subject, among subjects older
    than `before` (the request's own first subject), chunk by chunk."""
    found: dict[int, str] = {}
    rows = subjects.values_list("id", "account_id", "kind", "value_hmac").iterator(WARNING_CHUNK)
    while chunk := list(islice(rows, WARNING_CHUNK)):
        account_id = chunk[0][1]
        references = keys_in_open_requests(
            {(kind, value_hmac) for _, _, kind, value_hmac in chunk},
            account_id=account_id,
            up_to_subject=before - 1,
        )
        for pk, _, kind, value_hmac in chunk:
            if (kind, value_hmac) in references:
                found[pk] = references[(kind, value_hmac)]
    return found
