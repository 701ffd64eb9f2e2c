"""The periodic sweeps that find all pending work again from the database (invariant 1).

A sweep never does Heap calls itself: it hands batch ids to `submit` and `poll`, which are Celery
task senders in production and the services themselves under `run_sweeps --once`.

A sweep packs for at most SWEEP_BUDGET seconds (well under the task's soft time limit) and says
whether packing work remains (`SweepReport.more`): the task then sends itself again at once
instead of waiting for the next beat tick, and `run_sweeps --once` goes round again. Each batch
packed commits on its own, so an interrupted sweep loses nothing.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from heapprivacy.erasure.models import DeletionBatch, HeapAccount, Subject
from heapprivacy.erasure.pipeline.packing import batches_pack
from heapprivacy.erasure.pipeline.recovery import leases_recover

Batch = DeletionBatch.State


@dataclass
class SweepReport:
    recovered: list[int] = field(default_factory=list)
    packed: list[int] = field(default_factory=list)
    dispatched: list[int] = field(default_factory=list)
    polled: list[int] = field(default_factory=list)
    more: bool = False  # packing stopped at its time budget with work left


def sweeps_run(submit: Callable[[int], object], poll: Callable[[int], object]) -> SweepReport:
    report = SweepReport(recovered=leases_recover())
    report.packed, report.more = sweep_pack(time.monotonic() + settings.SWEEP_BUDGET)
    report.dispatched = _each(_ready_batches(), submit)
    report.polled = _each(_batches_due_for_polling(), poll)
    return report


def sweep_pack(deadline: float) -> tuple[list[int], bool]:
    """Pack each active account's queued subjects until `deadline` (time.monotonic()).

    The batch ids packed, and whether the deadline stopped packing before the work was done."""
    packed: list[int] = []
    for account in _accounts_with_queued_subjects():
        for batch_id in batches_pack(account, until=deadline):
            packed.append(batch_id)
        if time.monotonic() >= deadline:
            return packed, True
    return packed, False


def _accounts_with_queued_subjects() -> list[HeapAccount]:
    """Asked account by account through the partial index of queued subjects."""
    queued = Subject.objects.filter(account=OuterRef("pk"), state=Subject.State.QUEUED)
    return list(HeapAccount.objects.filter(Exists(queued), is_active=True).order_by("pk"))


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
