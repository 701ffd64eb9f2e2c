"""The periodic sweeps that find all pending work again from the database (invariant 1).

A sweep never does Heap calls itself: it hands batch ids to `submit` and `poll`, which are Celery
task senders in production and the services themselves under `run_sweeps --once`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from heapprivacy.erasure.models import DeletionBatch, HeapAccount, Subject
from heapprivacy.erasure.packing import batches_pack
from heapprivacy.erasure.recovery import leases_recover

Batch = DeletionBatch.State


@dataclass
class SweepReport:
    recovered: list[int] = field(default_factory=list)
    packed: list[int] = field(default_factory=list)
    dispatched: list[int] = field(default_factory=list)
    polled: list[int] = field(default_factory=list)


def sweeps_run(submit: Callable[[int], object], poll: Callable[[int], object]) -> SweepReport:
    report = SweepReport(recovered=leases_recover(), packed=sweep_pack())
    report.dispatched = _each(_ready_batches(), submit)
    report.polled = _each(_batches_due_for_polling(), poll)
    return report


def sweep_pack() -> list[int]:
    accounts = HeapAccount.objects.filter(
        is_active=True, subjects__state=Subject.State.QUEUED
    ).distinct()
    return [batch_id for account in accounts for batch_id in batches_pack(account)]


def _ready_batches() -> list[int]:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
    return list(DeletionBatch.objects.filter(due, state=Batch.READY).values_list("pk", flat=True))


def _batches_due_for_polling() -> list[int]:
    return list(
        DeletionBatch.objects.filter(
            state=Batch.SUBMITTED, next_poll_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )


def _each(batch_ids: list[int], action: Callable[[int], object]) -> list[int]:
    for batch_id in batch_ids:
        action(batch_id)
    return batch_ids
