"""Submitting a batch to Heap: claim, record, call outside any transaction, record the outcome.

DESIGN.md invariant 2: before the POST the attempt and the "sending" state are committed; after it,
the outcome is. A worker that dies between the two leaves a batch whose lease expires; the lease
sweep (`leases_recover`) resubmits it, since deleting twice is harmless and not deleting is not.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.crypto import DecryptionError
from heapprivacy.erasure.lifecycle.requests import requests_progress
from heapprivacy.erasure.models import DeletionBatch, SubmissionAttempt
from heapprivacy.erasure.pipeline.heap import NO_KEY, heap_client
from heapprivacy.erasure.pipeline.payloads import batch_payload, payload_sha256
from heapprivacy.erasure.pipeline.policy import next_poll_at, retry_delay, seconds
from heapprivacy.heap import HeapError
from heapprivacy.heap.results import DeletionReceipt

Batch = DeletionBatch.State
Outcome = SubmissionAttempt.Outcome
logger = logging.getLogger("heapprivacy.erasure")


def batch_submit(batch_id: int) -> str:
    """Send one ready batch to Heap. Returns the outcome, or "not_claimed" if another has it."""
    attempt = _claim(batch_id)
    if attempt is None:
        return "not_claimed"
    batch = attempt.batch
    users = batch_payload(batch)
    if payload_sha256(users) != batch.payload_sha256:
        _give_up(batch, attempt, "payload no longer matches the hash recorded when packed", None)
        return Outcome.PERMANENT
    try:
        client = heap_client(batch.account)
    except DecryptionError:
        _give_up(batch, attempt, NO_KEY, None, error_class="DecryptionError", message=NO_KEY)
        return Outcome.PERMANENT
    try:
        with client:
            receipt = client.delete_users(users)
    except HeapError as error:
        return _record_failure(batch, attempt, error)
    # Logged before it is stored: should the database fail right now, the id Heap gave is
    # still in the worker's log, the evidence an auditor can match against Heap.
    logger.info(
        "Heap accepted batch %s (attempt %s) as deletion_request_id %s",
        batch.pk,
        attempt.number,
        receipt.deletion_request_id,
    )
    _record_acceptance(batch, attempt, receipt)
    return Outcome.ACCEPTED


def _claim(batch_id: int) -> SubmissionAttempt | None:
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            DeletionBatch.objects.filter(pk=batch_id, state=Batch.READY)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .update(
                state=Batch.SENDING,
                attempts=F("attempts") + 1,
                lease_until=now + seconds("BATCH_LEASE"),
                next_attempt_at=None,
            )
        )
        if claimed != 1:
            return None
        batch = DeletionBatch.objects.select_related("account").get(pk=batch_id)
        attempt = SubmissionAttempt.objects.create(
            batch=batch, number=batch.attempts, started_at=now
        )
        audit_record(
            "batch.sending", actor=Actor.system(), target=batch, details={"attempt": attempt.number}
        )
    return attempt


def _record_acceptance(
    batch: DeletionBatch, attempt: SubmissionAttempt, receipt: DeletionReceipt
) -> None:
    now = timezone.now()
    with transaction.atomic():
        _finish_attempt(
            attempt,
            Outcome.ACCEPTED,
            http_status=receipt.http_status,
            deletion_request_id=receipt.deletion_request_id,
            response_sha256=receipt.response_sha256,
        )
        # A batch whose lease expired meanwhile and waits to be resubmitted adopts this id too.
        adopted = (
            DeletionBatch.objects.filter(pk=batch.pk)
            .filter(Q(state=Batch.SENDING, attempts=attempt.number) | Q(state=Batch.READY))
            .update(
                state=Batch.SUBMITTED,
                deletion_request_id=receipt.deletion_request_id,
                submitted_at=now,
                next_poll_at=next_poll_at(now, 0),
                lease_until=None,
                last_status=receipt.status,
                last_error="",
            )
        )
        if adopted:
            requests_progress(batch, "start")  # members are submitted with their batch
        audit_record(
            "batch.submitted" if adopted else "batch.accepted_after_lease_expired",
            actor=Actor.system(),
            target=batch,
            details={
                "attempt": attempt.number,
                "deletion_request_id": receipt.deletion_request_id,
                "http_status": receipt.http_status,
                "response_sha256": receipt.response_sha256,
            },
        )


def _record_failure(batch: DeletionBatch, attempt: SubmissionAttempt, error: HeapError) -> str:
    if error.permanent:
        _give_up(batch, attempt, f"Heap refused the batch: {error.message}", error)
        return Outcome.PERMANENT
    if error.maybe_processed and not settings.HEAP_RESUBMIT_UNCERTAIN:
        _give_up(batch, attempt, "outcome unknown and HEAP_RESUBMIT_UNCERTAIN is off", error)
        return Outcome.TRANSIENT
    if attempt.number >= settings.HEAP_MAX_ATTEMPTS:
        _give_up(batch, attempt, f"still failing after {attempt.number} attempts", error)
        return Outcome.TRANSIENT
    retry_at = timezone.now() + retry_delay(attempt.number, getattr(error, "retry_after", None))
    with transaction.atomic():
        _finish_attempt(attempt, Outcome.TRANSIENT, **_error_fields(error))
        DeletionBatch.objects.filter(
            pk=batch.pk, state=Batch.SENDING, attempts=attempt.number
        ).update(
            state=Batch.READY, next_attempt_at=retry_at, lease_until=None, last_error=error.message
        )
        audit_record(
            "batch.retry_scheduled",
            actor=Actor.system(),
            target=batch,
            details={**_error_details(attempt, error), "retry_at": retry_at.isoformat()},
        )
    return Outcome.TRANSIENT


def _give_up(
    batch: DeletionBatch,
    attempt: SubmissionAttempt,
    reason: str,
    error: HeapError | None,
    **attempt_fields: object,
) -> None:
    """The batch needs a person; `attempt_fields` say what failed when no Heap error does."""
    outcome = Outcome.PERMANENT if error is None or error.permanent else Outcome.TRANSIENT
    with transaction.atomic():
        _finish_attempt(attempt, outcome, **(_error_fields(error) if error else attempt_fields))
        DeletionBatch.objects.filter(
            pk=batch.pk, state=Batch.SENDING, attempts=attempt.number
        ).update(state=Batch.NEEDS_ATTENTION, lease_until=None, last_error=reason)
        requests_progress(batch, "flag")
        details = _error_details(attempt, error) if error else {"attempt": attempt.number}
        audit_record(
            "batch.needs_attention",
            actor=Actor.system(),
            target=batch,
            details={**details, "reason": reason},
        )


def _finish_attempt(attempt: SubmissionAttempt, outcome: str, **fields: object) -> None:
    SubmissionAttempt.objects.filter(pk=attempt.pk, outcome=Outcome.IN_FLIGHT).update(
        outcome=outcome, finished_at=timezone.now(), **fields
    )


def _error_fields(error: HeapError) -> dict[str, object]:
    return {
        "error_class": type(error).__name__,
        "maybe_processed": error.maybe_processed,
        "http_status": error.status_code,
        "message": error.message,
    }


def _error_details(attempt: SubmissionAttempt, error: HeapError) -> dict[str, object]:
    """Heap's message stays on the attempt row: it may quote an identity; the audit may not."""
    return {
        "attempt": attempt.number,
        "error_class": type(error).__name__,
        "http_status": error.status_code,
        "maybe_processed": error.maybe_processed,
    }
