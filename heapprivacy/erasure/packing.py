"""Packing queued subjects into deletion batches of at most 10,000 per Heap account."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.models import DeletionBatch, HeapAccount, Subject
from heapprivacy.erasure.payloads import payload_sha256, payload_users
from heapprivacy.erasure.policy import MAX_BATCH_SIZE, seconds


def batches_pack(
    account: HeapAccount, *, release: bool = False, actor: Actor | None = None
) -> list[int]:
    """Pack the account's queued subjects into batches; return the new batch ids.

    A batch is packed when 10,000 subjects wait, when the oldest has waited BATCH_LINGER, or when
    `release` is asked for. Each batch is claimed in its own transaction with
    SELECT … FOR UPDATE SKIP LOCKED, so concurrent packers never take the same subject.
    """
    packed: list[int] = []
    while (batch_id := _pack_one(account, release, actor or Actor.system())) is not None:
        packed.append(batch_id)
    return packed


def _pack_one(account: HeapAccount, release: bool, actor: Actor) -> int | None:
    with transaction.atomic():
        claimed = list(
            Subject.objects.select_for_update(skip_locked=True)
            .filter(account=account, state=Subject.State.QUEUED)
            .order_by("id")
            .values_list("id", "kind", "value", "queued_at")[:MAX_BATCH_SIZE]
        )
        if not claimed or not (release or _is_due(claimed) or _deadline_near(account)):
            return None
        users = payload_users((kind, value) for _, kind, value, _ in claimed)
        batch = DeletionBatch.objects.create(
            account=account,
            size=len(claimed),
            payload_sha256=payload_sha256(users),
            state=_initial_state(len(claimed)),
        )
        Subject.objects.filter(id__in=[row[0] for row in claimed]).update(
            state=Subject.State.BATCHED, batch=batch
        )
        audit_record(
            "batch.packed",
            actor=actor,
            target=batch,
            details={
                "account": account.pk,
                "members": len(claimed),
                "entries": len(users),
                "payload_sha256": batch.payload_sha256,
                "state": batch.state,
            },
        )
    return batch.pk


def _deadline_near(account: HeapAccount) -> bool:
    """A queued subject's request is within SAFE_SUBMIT_LEAD of its latest safe submit."""
    horizon = timezone.now() + seconds("SAFE_SUBMIT_LEAD")
    return Subject.objects.filter(
        account=account,
        state=Subject.State.QUEUED,
        request__latest_safe_submit__lte=horizon,
    ).exists()


def _initial_state(size: int) -> str:
    threshold = settings.REQUIRE_SECOND_APPROVAL_ABOVE
    if threshold and size > threshold:
        return DeletionBatch.State.AWAITING_APPROVAL
    return DeletionBatch.State.READY


def _is_due(claimed: list[tuple]) -> bool:
    oldest_queued_at = min(row[3] for row in claimed)
    return len(claimed) == MAX_BATCH_SIZE or (
        timezone.now() - oldest_queued_at >= seconds("BATCH_LINGER")
    )
