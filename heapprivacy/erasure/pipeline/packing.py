"""Packing queued subjects into deletion batches of at most 10,000 per Heap account."""

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.models import (
    BatchRequest,
    DeletionBatch,
    ErasureRequest,
    HeapAccount,
    Subject,
)
from heapprivacy.erasure.pipeline.payloads import payload_sha256, payload_users
from heapprivacy.erasure.pipeline.policy import MAX_BATCH_SIZE, seconds
from heapprivacy.erasure.records.lookups import ids_matching


def batches_pack(
    account: HeapAccount,
    *,
    release: bool = False,
    actor: Actor | None = None,
    until: float | None = None,
) -> list[int]:
    """Pack the account's queued subjects into batches; return the new batch ids.

    A batch is packed when 10,000 subjects wait, when the oldest has waited BATCH_LINGER, or when
    `release` is asked for. Each batch is claimed in its own transaction with
    SELECT … FOR UPDATE SKIP LOCKED, so concurrent packers never take the same subject. With
    `until` (a time.monotonic() value), no batch is begun after it.
    """
    packed: list[int] = []
    while until is None or time.monotonic() < until:
        batch_id = _pack_one(account, release, actor or Actor.system())
        if batch_id is None:
            break
        packed.append(batch_id)
    return packed


def _pack_one(account: HeapAccount, release: bool, actor: Actor) -> int | None:
    """Claim up to 10,000 queued subjects into one new batch: a fixed number of statements."""
    with transaction.atomic():
        claimed = list(
            Subject.objects.select_for_update(skip_locked=True)
            .filter(account=account, state=Subject.State.QUEUED)
            .order_by("id")
            .values_list("id", "kind", "value")[:MAX_BATCH_SIZE]
        )
        if not claimed or not (release or _is_due(account, claimed) or _deadline_near(account)):
            return None
        users = payload_users((kind, value) for _, kind, value in claimed)
        batch = DeletionBatch.objects.create(
            account=account,
            size=len(claimed),
            payload_sha256=payload_sha256(users),
            state=_initial_state(len(claimed)),
        )
        _members_attach(batch, [row[0] for row in claimed])
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


def _members_attach(batch: DeletionBatch, subject_ids: list[int]) -> None:
    """Mark the claimed subjects batched, then record how many of each request the batch holds."""
    subjects = Subject._meta.db_table
    with connection.cursor() as cursor:
        for condition, ids in ids_matching(subject_ids):
            cursor.execute(
                f"UPDATE {subjects} SET state = %s, batch_id = %s WHERE {condition}",  # nosec B608  # noqa: S608 - our table, values bound
                [Subject.State.BATCHED, batch.pk, *ids],
            )
        cursor.execute(
            f"INSERT INTO {BatchRequest._meta.db_table} (batch_id, request_id, members) "  # nosec B608  # noqa: S608 - as above
            f"SELECT batch_id, request_id, COUNT(*) FROM {subjects} WHERE batch_id = %s "
            "GROUP BY batch_id, request_id",
            [batch.pk],
        )


def _deadline_near(account: HeapAccount) -> bool:
    """A queued subject's request is within SAFE_SUBMIT_LEAD of its latest safe submit.

    Asked of the requests near their date (few, by the latest_safe_submit index), never of
    every queued subject."""
    horizon = timezone.now() + seconds("SAFE_SUBMIT_LEAD")
    queued = Subject.objects.filter(
        request=OuterRef("pk"), account=account, state=Subject.State.QUEUED
    )
    return (
        ErasureRequest.objects.filter(latest_safe_submit__lte=horizon)
        .filter(Exists(queued))
        .exists()
    )


def _initial_state(size: int) -> str:
    threshold = settings.REQUIRE_SECOND_APPROVAL_ABOVE
    if threshold and size > threshold:
        return DeletionBatch.State.AWAITING_APPROVAL
    return DeletionBatch.State.READY


def _is_due(account: HeapAccount, claimed: list[tuple]) -> bool:
    """A full batch is due at once; a partial one when its oldest subject has waited
    BATCH_LINGER (asked only then: all the account's queued subjects are in hand)."""
    if len(claimed) == MAX_BATCH_SIZE:
        return True
    oldest = _oldest_queued(account)
    return oldest is not None and timezone.now() - oldest >= seconds("BATCH_LINGER")


def _oldest_queued(account: HeapAccount) -> datetime | None:
    queued = Subject.objects.filter(account=account, state=Subject.State.QUEUED)
    return queued.aggregate(oldest=Min("queued_at"))["oldest"]


def expected_pack_time(account: HeapAccount) -> datetime | None:
    """When the account's queued subjects should be packed and sent: once the oldest has waited
    BATCH_LINGER, at the next minute's sweep (a full batch goes at that sweep already). None
    when nothing is queued."""
    oldest = _oldest_queued(account)
    if oldest is None:
        return None
    due = max(oldest + seconds("BATCH_LINGER"), timezone.now())
    return due.replace(second=0, microsecond=0) + timedelta(minutes=1)
