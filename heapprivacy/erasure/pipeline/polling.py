"""Polling Heap's deletion_status until it says `complete` (DESIGN.md invariant 3).

A 201 means "accepted", not "deleted": subjects are erased only when Heap reports `complete`.
An undocumented status value is recorded and polling goes on, but it never counts as complete.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.crypto import DecryptionError
from heapprivacy.erasure.lifecycle.requests import requests_complete_finished, requests_progress
from heapprivacy.erasure.models import DeletionBatch, StatusPoll
from heapprivacy.erasure.pipeline.heap import NO_KEY, heap_client
from heapprivacy.erasure.pipeline.policy import next_poll_at, seconds
from heapprivacy.erasure.records.retention import open_subjects_erased_by
from heapprivacy.heap import HeapError
from heapprivacy.heap.results import DeletionStatus

Batch = DeletionBatch.State


def batch_poll(batch_id: int) -> str:
    """Ask Heap about one submitted batch that is due. Returns the status seen, or a reason."""
    batch = _claim(batch_id)
    if batch is None:
        return "not_claimed"
    try:
        client = heap_client(batch.account)
    except DecryptionError:
        _record_no_key(batch)
        return "DecryptionError"
    try:
        with client:
            status = client.deletion_status(batch.deletion_request_id)
    except HeapError as error:
        _record_error(batch, error)
        return type(error).__name__
    if status.is_complete:
        _record_complete(batch, status)
    else:
        _record_not_done(batch, status)
    return status.status


def batch_poll_delay(batch_id: int) -> float | None:
    """Seconds until the batch's next poll is due (0 if due now); None if it awaits none."""
    next_poll = (
        DeletionBatch.objects.filter(pk=batch_id, state=Batch.SUBMITTED)
        .values_list("next_poll_at", flat=True)
        .first()
    )
    if next_poll is None:
        return None
    return max(0.0, (next_poll - timezone.now()).total_seconds())


def _claim(batch_id: int) -> DeletionBatch | None:
    """Push next_poll_at past the call, so a duplicated poll task finds nothing due."""
    now = timezone.now()
    claimed = DeletionBatch.objects.filter(
        pk=batch_id, state=Batch.SUBMITTED, next_poll_at__lte=now
    ).update(next_poll_at=now + seconds("BATCH_LEASE"))
    if claimed != 1:
        return None
    return DeletionBatch.objects.select_related("account").get(pk=batch_id)


def _record_complete(batch: DeletionBatch, status: DeletionStatus) -> None:
    now = timezone.now()
    with transaction.atomic():
        StatusPoll.objects.create(batch=batch, at=now, http_status=200, status=status.status)
        changed = DeletionBatch.objects.filter(pk=batch.pk, state=Batch.SUBMITTED).update(
            state=Batch.COMPLETE, completed_at=now, last_status=status.status, polls=batch.polls + 1
        )
        if not changed:
            return  # members are erased with their batch, at its completed_at
        audit_record(
            "batch.complete",
            actor=Actor.system(),
            target=batch,
            details={"deletion_request_id": batch.deletion_request_id, "status": status.status},
        )
        requests_complete_finished(batch)
        open_subjects_erased_by(batch)


def _record_not_done(batch: DeletionBatch, status: DeletionStatus) -> None:
    now = timezone.now()
    with transaction.atomic():
        StatusPoll.objects.create(batch=batch, at=now, http_status=200, status=status.status)
        if not status.is_documented:
            audit_record(
                "batch.status_undocumented",
                actor=Actor.system(),
                target=batch,
                details={"status": status.status[:64]},
            )
        if _overdue(batch, now):
            _needs_attention(batch, f"Heap still reports {status.status!r}; gave up polling")
            return
        _schedule_next(batch, now, last_status=status.status)


def _record_error(batch: DeletionBatch, error: HeapError) -> None:
    now = timezone.now()
    with transaction.atomic():
        StatusPoll.objects.create(
            batch=batch,
            at=now,
            http_status=error.status_code,
            error_class=type(error).__name__,
            message=error.message,
        )
        if error.permanent or _overdue(batch, now):
            _needs_attention(batch, f"deletion_status failed: {type(error).__name__}")
            return
        _schedule_next(batch, now, last_error=error.message)


def _record_no_key(batch: DeletionBatch) -> None:
    with transaction.atomic():
        StatusPoll.objects.create(
            batch=batch, at=timezone.now(), error_class="DecryptionError", message=NO_KEY
        )
        _needs_attention(batch, NO_KEY)


def _schedule_next(batch: DeletionBatch, now: datetime, **fields: str) -> None:
    DeletionBatch.objects.filter(pk=batch.pk, state=Batch.SUBMITTED).update(
        polls=batch.polls + 1, next_poll_at=next_poll_at(now, batch.polls + 1), **fields
    )


def _needs_attention(batch: DeletionBatch, reason: str) -> None:
    DeletionBatch.objects.filter(pk=batch.pk, state=Batch.SUBMITTED).update(
        state=Batch.NEEDS_ATTENTION, polls=batch.polls + 1, next_poll_at=None, last_error=reason
    )
    requests_progress(batch, "flag")
    audit_record(
        "batch.needs_attention", actor=Actor.system(), target=batch, details={"reason": reason}
    )


def _overdue(batch: DeletionBatch, now: datetime) -> bool:
    sent = batch.submitted_at
    return sent is not None and now - sent > seconds("POLL_GIVE_UP_AFTER")
