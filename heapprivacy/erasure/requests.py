"""Services for the lifecycle of an erasure request. Each change writes its audit event."""

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice

from django.db import transaction
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.clock import request_clock_set
from heapprivacy.erasure.models import ErasureRequest, HeapAccount, Subject
from heapprivacy.erasure.references import references_allocate
from heapprivacy.erasure.retention import previously_erased_record, subjects_build
from heapprivacy.erasure.subjects import SubjectInput
from heapprivacy.erasure.transitions import REQUEST_TRANSITIONS, request_transition
from heapprivacy.notifications.notices import completion_notify, rejection_notify

SUBJECT_CHUNK = 5_000  # bulk_create in chunks keeps memory flat (DESIGN.md, performance notes)


class ReceivedInFuture(ValueError):
    pass


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
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        raise ReceivedInFuture("received_at is in the future")
    with transaction.atomic():
        request = ErasureRequest.objects.create(
            reference=references_allocate(received_at.year)[0],
            source=source,
            jurisdiction=jurisdiction,
            received_at=received_at,
            requester_email=requester_email,
            external_ref=external_ref,
            created_by_id=_user_id(actor),
        )
        request_clock_set(request)
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


def request_approve(request: ErasureRequest, *, actor: Actor) -> int:
    """Approve the request and queue its pending subjects for the next batch."""
    now = timezone.now()
    with transaction.atomic():
        request_transition(
            request,
            "approve",
            decision=ErasureRequest.Decision.APPROVED,
            decided_at=now,
            decided_by_id=_user_id(actor),
        )
        queued = request.subjects.filter(state=Subject.State.PENDING).update(
            state=Subject.State.QUEUED, queued_at=now
        )
        audit_record(
            "request.approved",
            actor=actor,
            target=request,
            request_ref=request.reference,
            details={"subjects_queued": queued},
        )
    return queued


def request_reject(
    request: ErasureRequest, *, actor: Actor, reason_code: str, note: str = ""
) -> None:
    """Reject with a reason code; the note stays on the request, not in the audit trail."""
    now = timezone.now()
    with transaction.atomic():
        request_transition(
            request,
            "reject",
            decision=ErasureRequest.Decision.REJECTED,
            reason_code=reason_code,
            decision_note=note,
            decided_at=now,
            decided_by_id=_user_id(actor),
        )
        request.subjects.filter(state=Subject.State.PENDING).update(state=Subject.State.REJECTED)
        audit_record(
            "request.rejected",
            actor=actor,
            target=request,
            request_ref=request.reference,
            details={"reason_code": reason_code},
        )
        rejection_notify(request)  # the reason in words and the right to complain


def request_cancel(request: ErasureRequest, *, actor: Actor) -> None:
    """Cancel a request none of whose subjects has been packed into a batch yet."""
    with transaction.atomic():
        if request.subjects.filter(batch__isnull=False).exists():
            raise ValueError(f"{request.reference} already has subjects on their way to Heap")
        request_transition(request, "cancel")
        request.subjects.filter(state__in=[Subject.State.PENDING, Subject.State.QUEUED]).update(
            state=Subject.State.REJECTED
        )
        audit_record(
            "request.cancelled", actor=actor, target=request, request_ref=request.reference
        )


def requests_progress(request_ids: Iterable[int], action: str) -> None:
    """Apply a pipeline-driven transition (start / flag / resume) where it applies."""
    for request in ErasureRequest.objects.filter(pk__in=list(request_ids)):
        if request.state in _allowed_from(action):
            request_transition(request, action)
            audit_record(
                f"request.{request.state}",
                actor=Actor.system(),
                target=request,
                request_ref=request.reference,
            )


def requests_complete_finished(request_ids: Iterable[int]) -> list[str]:
    """Complete each request all of whose approved subjects Heap has confirmed erased."""
    unfinished = Subject.objects.exclude(state__in=[Subject.State.ERASED, Subject.State.REJECTED])
    done = ErasureRequest.objects.filter(
        pk__in=list(request_ids), state__in=_allowed_from("complete")
    ).exclude(pk__in=unfinished.filter(request_id__in=list(request_ids)).values("request_id"))
    completed = []
    for request in done:
        request_transition(request, "complete", completed_at=timezone.now())
        audit_record(
            "request.completed",
            actor=Actor.system(),
            target=request,
            request_ref=request.reference,
        )
        completion_notify(request)  # with the link to the certificate
        completed.append(request.reference)
    return completed


def _allowed_from(action: str) -> frozenset[str]:
    return REQUEST_TRANSITIONS[action][0]


def _user_id(actor: Actor) -> int | None:
    return int(actor.id) if actor.kind == "user" else None


def _chunks(items: Iterator[SubjectInput], size: int) -> Iterator[list[SubjectInput]]:
    while chunk := list(islice(items, size)):
        yield chunk
