"""Services for the lifecycle of an erasure request. Each change writes its audit event."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from heapprivacy.audit.actors import Actor, ActorKind
from heapprivacy.audit.selectors import audit_first_actor
from heapprivacy.audit.services import audit_record, audit_record_many
from heapprivacy.erasure.legal.clock import clock_fields
from heapprivacy.erasure.lifecycle.nudges import sweeps_nudge
from heapprivacy.erasure.lifecycle.references import references_allocate
from heapprivacy.erasure.lifecycle.subjects import SubjectInput
from heapprivacy.erasure.lifecycle.transitions import REQUEST_TRANSITIONS, request_transition
from heapprivacy.erasure.models import (
    DeletionBatch,
    ErasureRequest,
    HeapAccount,
    RequestNote,
    Subject,
)
from heapprivacy.erasure.records.lookups import ids_matching
from heapprivacy.erasure.records.retention import previously_erased_record, subjects_build
from heapprivacy.erasure.selectors import batch_request_ids
from heapprivacy.erasure.signals import request_completed, request_rejected
from heapprivacy.refusals import ActionRefused, ActorRefused

SUBJECT_CHUNK = 5_000  # bulk_create in chunks keeps memory flat (DESIGN.md, performance notes)
# Why a request may be rejected: (reason_code, what officers read). notifications/notices.py
# words each for the subject.
REJECTION_REASONS = [
    ("identity_not_verified", "Identity could not be verified"),
    ("not_a_subject", "Not a data subject of ours"),
    ("legal_obligation", "Retention required by law"),
    ("manifestly_unfounded", "Manifestly unfounded or excessive"),
    ("duplicate", "Duplicate of another request"),
    ("other", "Other"),
]
# Reasons the subject's notice cannot explain by itself: the officer's note must say it.
REASONS_NEEDING_A_NOTE = frozenset({"other"})


# No request can have been received before the oldest law here applied: the GDPR, from 25 May
# 2018. An earlier received_at is a typo (year 1, 0218), and would make a request overdue for
# years.
EARLIEST_RECEIVED = datetime(2018, 5, 25, tzinfo=UTC)


class ReceivedOutOfRange(ValueError):
    pass


def received_at_check(received_at: datetime) -> None:
    """Every channel's rule for a received_at given by the caller."""
    if received_at > timezone.now():
        raise ReceivedOutOfRange("received_at is in the future")
    if received_at < EARLIEST_RECEIVED:
        raise ReceivedOutOfRange(
            "received_at is before 25 May 2018, when the GDPR began to apply: no request here "
            "can have been received earlier"
        )


def request_create(
    *,
    source: str,
    jurisdiction: str,
    account: HeapAccount,
    subjects: Iterable[SubjectInput],
    actor: Actor,
    received_at: datetime | None = None,
    requester_email: str = "",
    external_ref: str = "",
) -> ErasureRequest:
    """Record a new request (state received) and its subjects (pending approval)."""
    received_at = received_at or timezone.now()
    received_at_check(received_at)
    request = ErasureRequest(
        source=source,
        jurisdiction=jurisdiction,
        received_at=received_at,
        requester_email=requester_email,
        external_ref=external_ref,
        created_by_id=actor.user_id,
    )
    for name, value in clock_fields(request).items():
        setattr(request, name, value)
    # No savepoint: a caller's transaction (the API's idempotent create) fails as one.
    with transaction.atomic(savepoint=False):
        # The reference is taken last before the insert: its counter row stays locked until
        # the transaction commits, and other creates of the year wait for it.
        request.reference = references_allocate(received_at.year)[0]
        request.save(force_insert=True)
        count = subjects_add(request, account, subjects)
        audit_record(
            "request.created",
            actor=actor,
            target=request,
            request_ref=request.reference,
            details={"source": source, "jurisdiction": jurisdiction, "subjects": count},
        )
    return request


def subjects_add(
    request: ErasureRequest, account: HeapAccount, items: Iterable[SubjectInput]
) -> int:
    """Add subjects to a request still awaiting its decision, streaming in chunks.

    Each gets its keyed hash; those Heap has erased before are flagged and counted in one
    request.previously_erased audit event (retention.py).
    """
    count = flagged = 0
    for chunk in _chunks(iter(items), SUBJECT_CHUNK):
        subjects = Subject.objects.bulk_create(subjects_build(request, account, chunk))
        count += len(subjects)
        flagged += sum(subject.previously_erased for subject in subjects)
    ErasureRequest.objects.filter(pk=request.pk).update(subject_count=F("subject_count") + count)
    request.subject_count += count
    previously_erased_record(request, flagged)
    return count


def request_verify(
    request: ErasureRequest, *, actor: Actor, method: str, note_id: int | None = None
) -> None:
    with transaction.atomic():
        request_transition(request, "verify", verified_at=timezone.now())
        audit_record(
            "request.verified",
            actor=actor,
            target=request,
            request_ref=request.reference,
            details={"method": method, "note_id": note_id},
        )


def request_note_write(request: ErasureRequest, *, author: User, text: str) -> int | None:
    """Keep an officer's note on the request; its id, for the event that cites it (None, and
    nothing kept, for a blank note). The text stays on the request, never in the audit trail."""
    if not text.strip():
        return None
    return RequestNote.objects.create(request=request, author=author, text=text).pk


def request_note_add(
    request: ErasureRequest, *, actor: Actor, author: User, text: str
) -> int | None:
    """A note on its own, audited as request.note_added with its id."""
    with transaction.atomic():
        note_id = request_note_write(request, author=author, text=text)
        audit_record(
            "request.note_added",
            actor=actor,
            target=request,
            request_ref=request.reference,
            details={"note_id": note_id},
        )
    return note_id


def request_approve(
    request: ErasureRequest, *, actor: Actor, verification_override: str = ""
) -> int:
    """Approve the request and queue its pending subjects for the next batch.

    Four eyes: refused (ActorRefused) to the person or API client that created the request,
    whichever door they come through. System actors (intake channels, the pipeline) are nobody's
    second pair of eyes and are not checked.

    A request whose requester's identity nobody verified is approved only with an explicit
    `verification_override`: the approver's reason, kept on the request and flagged in the audit
    event and on the certificate.
    """
    if actor.kind != ActorKind.SYSTEM and request_creator(request) == (actor.kind, actor.id):
        raise ActorRefused("four eyes: the creator of a request may not approve it")
    override = verification_override.strip()
    unverified = request.state == ErasureRequest.State.RECEIVED
    if unverified and actor.kind != ActorKind.SYSTEM and not override:
        raise ActionRefused(
            f"{request.reference} is not verified: verify the requester's identity first, "
            "or give the reason for approving without verification"
        )
    now = timezone.now()
    with transaction.atomic():
        request_transition(
            request,
            "approve",
            decision=ErasureRequest.Decision.APPROVED,
            decided_at=now,
            decided_by_id=actor.user_id,
            verification_override=override if unverified else "",
        )
        queued = request.subjects.filter(state=Subject.State.PENDING).update(
            state=Subject.State.QUEUED, queued_at=now
        )
        details: dict[str, object] = {"subjects_queued": queued}
        if unverified:
            details["verification_overridden"] = bool(override)
        audit_record(
            "request.approved",
            actor=actor,
            target=request,
            request_ref=request.reference,
            details=details,
        )
        sweeps_nudge(queued)
    return queued


def request_creator(request: ErasureRequest) -> tuple[str, str]:
    """(kind, id) of the actor that created the request: its user, else the actor of its
    request.created event (an API client or a system channel); ("", "") if neither is known."""
    if request.created_by_id is not None:
        return ActorKind.USER, str(request.created_by_id)
    return audit_first_actor(request.reference, "request.created") or ("", "")


def request_reject(
    request: ErasureRequest, *, actor: Actor, reason_code: str, note: str = ""
) -> None:
    """Reject with a reason code; the note stays on the request, not in the audit trail.

    The subject is told why: a reason their notice cannot word by itself needs the note.
    """
    if reason_code in REASONS_NEEDING_A_NOTE and not note.strip():
        raise ActionRefused(f'rejecting for "{reason_code}" needs a note saying why')
    now = timezone.now()
    with transaction.atomic():
        request_transition(
            request,
            "reject",
            decision=ErasureRequest.Decision.REJECTED,
            reason_code=reason_code,
            decision_note=note,
            decided_at=now,
            decided_by_id=actor.user_id,
        )
        request.subjects.filter(state=Subject.State.PENDING).update(state=Subject.State.REJECTED)
        audit_record(
            "request.rejected",
            actor=actor,
            target=request,
            request_ref=request.reference,
            details={"reason_code": reason_code},
        )
        request_rejected.send(ErasureRequest, request=request)


def request_cancel(
    request: ErasureRequest, *, actor: Actor, author: User | None, reason: str
) -> None:
    """Cancel a request none of whose subjects has been packed into a batch yet.

    The reason is required; it is kept as a note on the request (by `author`, when a person
    cancels) and cited by the audit event.
    """
    if not reason.strip():
        raise ActionRefused("cancelling a request needs a reason")
    with transaction.atomic():
        if request.subjects.filter(batch__isnull=False).exists():
            raise ActionRefused(f"{request.reference} already has subjects on their way to Heap")
        request_transition(request, "cancel")
        request.subjects.filter(state__in=[Subject.State.PENDING, Subject.State.QUEUED]).update(
            state=Subject.State.REJECTED
        )
        note_id = (
            request_note_write(request, author=author, text=reason) if author is not None else None
        )
        audit_record(
            "request.cancelled",
            actor=actor,
            target=request,
            request_ref=request.reference,
            details={"note_id": note_id} if note_id is not None else {},
        )


def requests_progress(batch: DeletionBatch, action: str) -> list[str]:
    """Apply a pipeline-driven transition (start / flag / resume) to the batch's requests where
    it applies, with one audit event each. Their references."""
    moved = _requests_move(batch_request_ids(batch), action)
    _audit_each(f"request.{REQUEST_TRANSITIONS[action][1]}", moved)
    return [reference for _, reference in moved]


def requests_complete_finished(batch: DeletionBatch) -> list[str]:
    """Count the batch's subjects as erased on its requests, and complete each request all of
    whose subjects Heap has now confirmed (subjects_erased reaches subject_count).

    Call once per batch, when it completes (polling does, in the transaction that completes the
    batch). The subjects themselves are never read: the batch's links say how many of each
    request it holds, and one UPDATE per distinct count (nearly always one) adds them and
    completes the requests they finish, as the "complete" transition allows.
    """
    allowed, completed = REQUEST_TRANSITIONS["complete"]
    by_members: dict[int, list[int]] = defaultdict(list)
    for request_id, members in batch.request_links.values_list("request_id", "members"):
        by_members[members].append(request_id)
    now = timezone.now()
    states = ", ".join(["%s"] * len(allowed))
    finishing = f"subjects_erased + %s = subject_count AND state IN ({states})"
    moved = []
    for members, request_ids in by_members.items():
        finish = [members, *sorted(allowed)]
        rows = _requests_update(
            request_ids,
            "subjects_erased = subjects_erased + %s, "
            f"state = CASE WHEN {finishing} THEN %s ELSE state END, "
            f"completed_at = CASE WHEN {finishing} THEN %s ELSE completed_at END",
            [members, *finish, completed, *finish, now],
            returning="id, reference, state, subjects_erased = subject_count",
        )
        # Completed now: this very addition reached the count (one already completed had
        # reached it before, so an addition takes it past).
        moved += [(pk, ref) for pk, ref, state, reached in rows if state == completed and reached]
    moved.sort()
    _audit_each("request.completed", moved)
    emailed = ErasureRequest.objects.filter(pk__in=[pk for pk, _ in moved]).exclude(
        requester_email=""
    )
    for request in emailed.iterator():
        request_completed.send(ErasureRequest, request=request)
    return [reference for _, reference in moved]


def _requests_move(
    request_ids: list[int], action: str, condition: str = "TRUE", **fields: object
) -> list[tuple[int, str]]:
    """Move those of `request_ids` that may take `action` (UPDATE … RETURNING); their
    (id, reference) in id order."""
    allowed, to_state = REQUEST_TRANSITIONS[action]
    assignments = ", ".join(f"{name} = %s" for name in ["state", *fields])
    states = ", ".join(["%s"] * len(allowed))
    return sorted(
        _requests_update(
            request_ids,
            assignments,
            [to_state, *fields.values()],
            where=(f"state IN ({states}) AND {condition}", sorted(allowed)),
            returning="id, reference",
        )
    )


def _requests_update(
    request_ids: list[int],
    assignments: str,
    params: list[Any],
    where: tuple[str, list[Any]] = ("TRUE", []),
    returning: str = "",
) -> list[tuple]:
    """UPDATE the requests `request_ids` by primary key, whatever their number (ids_matching)."""
    table = ErasureRequest._meta.db_table
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for condition, ids in ids_matching(request_ids):
            cursor.execute(
                f"UPDATE {table} SET {assignments} WHERE {condition} AND {where[0]}"  # nosec B608  # noqa: S608 - our own table and field names
                + (f" RETURNING {returning}" if returning else ""),
                [*params, *ids, *where[1]],
            )
            rows.extend(cursor.fetchall() if returning else [])
    return rows


def _audit_each(action: str, requests: list[tuple[int, str]]) -> None:
    audit_record_many(
        action,
        actor=Actor.system(),
        model=ErasureRequest,
        events=((pk, reference, {}) for pk, reference in requests),
    )


def _chunks(items: Iterator[SubjectInput], size: int) -> Iterator[list[SubjectInput]]:
    while chunk := list(islice(items, size)):
        yield chunk
