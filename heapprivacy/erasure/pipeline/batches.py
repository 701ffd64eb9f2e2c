"""What people do to batches: release queued subjects now, approve a large batch, retry one."""

from django.db import transaction
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.lifecycle.requests import requests_progress
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, HeapAccount
from heapprivacy.erasure.pipeline.packing import batches_pack
from heapprivacy.refusals import ActionRefused, ActorRefused

Batch = DeletionBatch.State


class BatchActionRefused(ActionRefused):
    """The batch is not in a state for this action."""


def batches_release(account: HeapAccount, *, actor: Actor) -> list[int]:
    """Pack the account's queued subjects now, without waiting for a full batch."""
    return batches_pack(account, release=True, actor=actor)


def batch_approve(batch: DeletionBatch, *, actor: Actor) -> None:
    """Second approval of a large batch, by someone who approved none of its requests (four
    eyes: ActorRefused otherwise)."""
    if batch_decided_by(batch, actor):
        raise ActorRefused("four eyes: who approved a request of a batch may not release it")
    with transaction.atomic():
        changed = DeletionBatch.objects.filter(pk=batch.pk, state=Batch.AWAITING_APPROVAL).update(
            state=Batch.READY, approved_by_id=int(actor.id), approved_at=timezone.now()
        )
        if not changed:
            raise BatchActionRefused(f"batch #{batch.pk} is not awaiting approval")
        audit_record("batch.approved", actor=actor, target=batch, details={"size": batch.size})


def batch_decided_by(batch: DeletionBatch, actor: Actor) -> bool:
    """Whether `actor` approved (or rejected) one of the batch's requests."""
    if actor.user_id is None:
        return False
    return ErasureRequest.objects.filter(
        batch_links__batch=batch, decided_by_id=actor.user_id
    ).exists()


def batch_retry(batch: DeletionBatch, *, actor: Actor) -> None:
    """Send a batch that needed attention again (after a human looked at why)."""
    with transaction.atomic():
        changed = DeletionBatch.objects.filter(pk=batch.pk, state=Batch.NEEDS_ATTENTION).update(
            state=Batch.SUBMITTED if batch.deletion_request_id else Batch.READY,
            next_attempt_at=None,
            next_poll_at=timezone.now() if batch.deletion_request_id else None,
            last_error="",
        )
        if not changed:
            raise BatchActionRefused(f"batch #{batch.pk} does not need attention")
        requests_progress(batch, "resume")
        audit_record("batch.retried", actor=actor, target=batch)
