"""Recovering batches whose worker died mid-submission (its lease expired)."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.lifecycle.requests import requests_progress
from heapprivacy.erasure.models import DeletionBatch, SubmissionAttempt

Batch = DeletionBatch.State


def leases_recover() -> list[int]:
    """Batches stuck in `sending` past their lease: the POST may or may not have reached Heap.

    With HEAP_RESUBMIT_UNCERTAIN (the default) they go back to `ready` and are sent again: both
    attempts stay on record. Otherwise, or once the batch has used HEAP_MAX_ATTEMPTS (a batch
    whose every attempt dies, whatever kills it, must not be resubmitted forever), a human
    decides.
    """
    expired = DeletionBatch.objects.filter(state=Batch.SENDING, lease_until__lt=timezone.now())
    return [pk for pk in expired.values_list("pk", flat=True) if _recover(pk)]


def _recover(batch_id: int) -> bool:
    with transaction.atomic():
        batch = DeletionBatch.objects.select_for_update().get(pk=batch_id)
        leased = batch.lease_until is not None and batch.lease_until >= timezone.now()
        if batch.state != Batch.SENDING or leased:
            return False
        exhausted = batch.attempts >= settings.HEAP_MAX_ATTEMPTS
        resubmit = settings.HEAP_RESUBMIT_UNCERTAIN and not exhausted
        batch.submissions.filter(outcome=SubmissionAttempt.Outcome.IN_FLIGHT).update(
            outcome=SubmissionAttempt.Outcome.LOST, finished_at=timezone.now(), maybe_processed=True
        )
        batch.state = Batch.READY if resubmit else Batch.NEEDS_ATTENTION
        batch.lease_until = None
        batch.last_error = "worker lost mid-submission; outcome unknown" + (
            f"; {batch.attempts} attempts, none finished" if exhausted else ""
        )
        batch.save(update_fields=["state", "lease_until", "last_error"])
        if not resubmit:
            requests_progress(batch, "flag")
        audit_record(
            "batch.lease_expired",
            actor=Actor.system(),
            target=batch,
            details={"attempt": batch.attempts, "resubmit": resubmit, "exhausted": exhausted},
        )
    return True
