"""Retention: personal data of closed requests is replaced by keyed hashes after RETENTION_DAYS,
and new subjects that Heap has erased before are recognised.

Keyed hashes are `heapprivacy.pseudonyms.subject_pseudonym` (HMAC-SHA256 under PSEUDONYM_KEY), the
function that names subjects in certificates and recipients in `email.sent` audit events: the
same value always has the same hash, so whoever holds a value and the key can still find its
record, and nobody can go the other way.

What pseudonymising a request changes (once, in one transaction, audited as
`request.pseudonymised` with counts only):
- `requester_email` and every subject's `value` become `hmac:<hex>` (the subject's hash is its
  `value_hmac`, which stays: it keeps the data deleted, see `lookups.keys_erased_before`);
- free text that may name people becomes REMOVED: the request's notes, `decision_note`,
  `extension_reason`, `due_override_reason`, `verification_override`;
- Heap's messages of a batch (`SubmissionAttempt.message`, `StatusPoll.message`,
  `DeletionBatch.last_error`: Heap's error text may quote an identity) are blanked once every
  request with a subject in that batch is pseudonymised, so no retained request loses them.
What stays: dates, states, decisions and reason codes, `external_ref` (the caller's own key for
the request), Heap's evidence (deletion_request_ids, payload hashes, HTTP statuses, error
classes), certificates (they name subjects by the same hashes already), intake verification
links (a random nonce and two dates: nothing personal) and the audit trail, which is never
touched and keeps verifying. The notifications outbox is not touched here: it forgets each
address itself once the email is sent or given up (heapprivacy/notifications).

When a request closed, the start of its retention period:
- completed: `completed_at`;
- rejected: `decided_at`;
- cancelled: the request keeps no timestamp for it, so the time of its `request.cancelled`
  audit event (the trail is append-only: that time cannot move).
A closed request without that time is kept rather than guessed at. One still holding a subject
on its way to Heap (queued, batched, submitted) is skipped: a value that may yet be sent must
not change.

The same daily run tells the apps above erasure to purge what they keep past the same cutoff
(`signals.retention_due`): the API deletes its idempotency records (api/receivers.py).
"""

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.services import audit_record, audit_record_many
from heapprivacy.erasure.lifecycle.subjects import SubjectInput
from heapprivacy.erasure.models import (
    BatchRequest,
    DeletionBatch,
    ErasureRequest,
    HeapAccount,
    StatusPoll,
    Subject,
    SubmissionAttempt,
)
from heapprivacy.erasure.records.lookups import (
    ids_matching,
    keys_erased_before,
    unsent_subjects_with_keys,
)
from heapprivacy.erasure.selectors import request_batch_ids
from heapprivacy.erasure.signals import retention_due
from heapprivacy.pseudonyms import subject_pseudonym

logger = logging.getLogger(__name__)

RETENTION = Actor.system("retention")
PSEUDONYM_PREFIX = "hmac:"
REMOVED = "[removed after retention]"
TEXT_FIELDS = ("decision_note", "extension_reason", "due_override_reason", "verification_override")
CLOSED_STATES = (
    ErasureRequest.State.COMPLETED,
    ErasureRequest.State.REJECTED,
    ErasureRequest.State.CANCELLED,
)
REQUEST_CHUNK = 500  # request ids read per query
SUBJECT_CHUNK = 5_000
UPDATE_CHUNK = 500  # rows per bulk_update: under the 999 bound parameters of older SQLite


def pseudonym(value: str) -> str:
    """What replaces a personal value after retention: `hmac:` and its keyed hash."""
    return PSEUDONYM_PREFIX + subject_pseudonym(value)


def retention_cutoff() -> datetime:
    return timezone.now() - timedelta(days=settings.RETENTION_DAYS)


def retention_sweep() -> dict[str, int]:
    """The daily retention run (beat): expired requests pseudonymised, then the apps above
    purge what they keep past the same cutoff (signals.retention_due). Counts of each."""
    cutoff = retention_cutoff()
    counts = {"requests": requests_pseudonymise_expired(cutoff)}
    for _, purged in retention_due.send(ErasureRequest, cutoff=cutoff):
        counts.update(cast(dict[str, int], purged))
    return counts


# --- Requests past retention ----------------------------------------------------------------


def requests_expired(cutoff: datetime) -> QuerySet[ErasureRequest]:
    """Closed requests, not pseudonymised yet, closed before `cutoff`, nothing in flight."""
    cancelled_at = (
        AuditEvent.objects.filter(request_ref=OuterRef("reference"), action="request.cancelled")
        .order_by("seq")
        .values("at")[:1]
    )
    closed_at = Case(
        When(state=ErasureRequest.State.COMPLETED, then=F("completed_at")),
        When(state=ErasureRequest.State.REJECTED, then=F("decided_at")),
        When(state=ErasureRequest.State.CANCELLED, then=Subquery(cancelled_at)),
        output_field=DateTimeField(),
    )
    queued = Subject.objects.filter(request=OuterRef("pk"), state=Subject.State.QUEUED)
    unconfirmed = BatchRequest.objects.filter(request=OuterRef("pk")).exclude(
        batch__state=DeletionBatch.State.COMPLETE
    )
    return (
        ErasureRequest.objects.filter(state__in=CLOSED_STATES, pseudonymised_at__isnull=True)
        .annotate(closed_at=closed_at)
        .filter(closed_at__lt=cutoff)
        .exclude(Exists(queued))
        .exclude(Exists(unconfirmed))
    )


def requests_pseudonymise_expired(cutoff: datetime | None = None) -> int:
    """Pseudonymise every request closed before `cutoff` (default: RETENTION_DAYS ago).

    One transaction per request, short: audit_record holds the audit append lock until commit,
    and every audited action waits for it. Each request is locked with SKIP LOCKED (PostgreSQL)
    and its conditions checked again, then claimed by a conditional UPDATE: it is pseudonymised
    and audited exactly once, however many runs overlap. Returns how many this run did.
    """
    cutoff = cutoff or retention_cutoff()
    expired = requests_expired(cutoff).order_by("pk").values_list("pk", flat=True)
    done = last = 0
    while ids := list(expired.filter(pk__gt=last)[:REQUEST_CHUNK]):
        done += sum(_pseudonymise_one(request_id, cutoff) for request_id in ids)
        last = ids[-1]
    if done:
        logger.info("retention: pseudonymised %d requests closed before %s", done, cutoff)
    return done


def _pseudonymise_one(request_id: int, cutoff: datetime) -> bool:
    with transaction.atomic():
        request = (
            requests_expired(cutoff)
            .select_for_update(skip_locked=True, of=("self",))
            .filter(pk=request_id)
            .first()
        )
        return request is not None and request_pseudonymise(request)


def _closed_at(request: ErasureRequest) -> datetime:
    """The annotation requests_expired adds (django-stubs cannot follow it to here)."""
    return request.closed_at  # type: ignore[attr-defined]


def request_pseudonymise(request: ErasureRequest) -> bool:
    """Replace the request's personal data (see the module docstring); False if already done.

    `request` must carry `closed_at` (requests_expired annotates it). Call inside a transaction.
    """
    removed = [name for name in TEXT_FIELDS if getattr(request, name)]
    claimed = ErasureRequest.objects.filter(pk=request.pk, pseudonymised_at=None).update(
        pseudonymised_at=timezone.now(),
        requester_email=pseudonym(request.requester_email) if request.requester_email else "",
        **dict.fromkeys(removed, REMOVED),
    )
    if not claimed:
        return False
    cleared = ["requester_email"] * bool(request.requester_email) + removed
    details = {
        "closed_at": _closed_at(request).astimezone(UTC).isoformat(),
        "retention_days": settings.RETENTION_DAYS,
        "subjects": _subjects_pseudonymise(request),
        "notes": request.notes.exclude(text=REMOVED).update(text=REMOVED),
        "fields_cleared": cleared,
        "heap_messages_cleared": _heap_messages_clear(request),
    }
    audit_record(
        "request.pseudonymised",
        actor=RETENTION,
        target=request,
        request_ref=request.reference,
        details=details,
    )
    return True


def _subjects_pseudonymise(request: ErasureRequest) -> int:
    """Each value becomes `hmac:<value_hmac>`, its hash computed first where it is missing."""
    missing = request.subjects.filter(value_hmac="").only("pk", "value").order_by("pk")
    while chunk := list(missing[:SUBJECT_CHUNK]):
        for subject in chunk:
            subject.value_hmac = subject_pseudonym(subject.value)
        Subject.objects.bulk_update(chunk, ["value_hmac"], batch_size=UPDATE_CHUNK)
    return request.subjects.update(value=Concat(Value(PSEUDONYM_PREFIX), F("value_hmac")))


def _heap_messages_clear(request: ErasureRequest) -> int:
    """Blank Heap's texts of the request's batches that hold no subject of a retained request."""
    retained = BatchRequest.objects.filter(batch=OuterRef("pk"), request__pseudonymised_at=None)
    batch_ids = list(
        DeletionBatch.objects.filter(pk__in=request_batch_ids(request))
        .exclude(Exists(retained))
        .values_list("pk", flat=True)
    )
    cleared = 0
    for model in (SubmissionAttempt, StatusPoll):
        rows = model.objects.filter(batch_id__in=batch_ids).exclude(message="")
        cleared += rows.update(message="")
    batches = DeletionBatch.objects.filter(pk__in=batch_ids).exclude(last_error="")
    return cleared + batches.update(last_error="")


# --- Previously erased ----------------------------------------------------------------------


def subjects_build(
    request: ErasureRequest, account: HeapAccount, items: Sequence[SubjectInput]
) -> list[Subject]:
    """Unsaved subjects for `items`, each with its value_hmac; flagged previously_erased when
    Heap has erased the same kind and value before (CCPA § 7022(e): a record kept so that the
    data stays deleted), for the officer to see on the request."""
    hashes = [subject_pseudonym(item.value) for item in items]
    erased = keys_erased_before(
        {(item.kind, value_hmac) for item, value_hmac in zip(items, hashes, strict=True)}
    )
    return [
        Subject(
            request=request,
            account=account,
            kind=item.kind,
            value=item.value,
            value_hmac=value_hmac,
            previously_erased=(item.kind, value_hmac) in erased,
        )
        for item, value_hmac in zip(items, hashes, strict=True)
    ]


def previously_erased_record(request: ErasureRequest, flagged: int) -> None:
    """Audit how many subjects just added to `request` were erased before (never which)."""
    if flagged:
        audit_record(
            "request.previously_erased",
            actor=RETENTION,
            target=request,
            request_ref=request.reference,
            details={"subjects": flagged},
        )


def open_subjects_erased_by(batch: DeletionBatch) -> list[str]:
    """Heap just erased `batch`: flag the same subjects (kind and keyed hash, any account) in
    open requests that no batch has taken yet, as if they had arrived after (an officer who
    decides such a request later sees it). One request.previously_erased event per request;
    their references. Reads the batch's subjects in chunks through its (batch, id) index."""
    flagged: dict[int, int] = defaultdict(int)
    batch_subjects = Subject.objects.filter(batch=batch).exclude(value_hmac="").order_by("id")
    keys = batch_subjects.values_list("kind", "value_hmac").iterator(SUBJECT_CHUNK)
    while chunk := list(islice(keys, SUBJECT_CHUNK)):
        found = unsent_subjects_with_keys(set(chunk))
        _subjects_flag(sorted({pk for pk, _ in found}))
        for _, request_id in found:
            flagged[request_id] += 1
    requests = list(
        ErasureRequest.with_staged.filter(pk__in=sorted(flagged))
        .order_by("pk")
        .values_list("pk", "reference")
    )
    audit_record_many(
        "request.previously_erased",
        actor=RETENTION,
        model=ErasureRequest,
        events=(
            (pk, reference, {"subjects": flagged[pk], "erased_by_batch": batch.pk})
            for pk, reference in requests
        ),
    )
    return [reference for _, reference in requests]


def _subjects_flag(subject_ids: list[int]) -> None:
    table = Subject._meta.db_table
    with connection.cursor() as cursor:
        for condition, ids in ids_matching(subject_ids):
            cursor.execute(
                f"UPDATE {table} SET previously_erased = %s WHERE {condition}",  # nosec B608  # noqa: S608 - our own table, values bound
                [True, *ids],
            )
