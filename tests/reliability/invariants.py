"""What must hold after any fault, once the sweeps have run (docs/reliability.md).

- Conservation: every subject of an approved request is erased, on its way (queued or in a
  batch that is ready, sending or submitted), or in a batch that needs attention with a reason;
  its request then needs attention too.
- Evidence: every user_deletion call Heap received has its attempt; every deletion_request_id
  Heap answered is stored (or, too long to be one, quoted whole in its attempt's error); a batch
  is complete only after a poll in which Heap said `complete`.
- Chain: the audit trail verifies, with no gap in its seqs.
"""

from collections.abc import Callable
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from heapprivacy.audit.chain import verify_chain
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.selectors import audit_events_iter
from heapprivacy.erasure.models import (
    DeletionBatch,
    ErasureRequest,
    StatusPoll,
    Subject,
    SubmissionAttempt,
)
from heapprivacy.erasure.pipeline.polling import batch_poll
from heapprivacy.erasure.pipeline.submission import batch_submit
from heapprivacy.erasure.pipeline.sweeps import sweeps_run
from tests.erasure.conftest import HeapSandbox

Batch = DeletionBatch.State
ON_ITS_WAY = [Batch.AWAITING_APPROVAL, Batch.READY, Batch.SENDING, Batch.SUBMITTED]


def conservation_holds() -> None:
    approved = Subject.objects.filter(request__decision=ErasureRequest.Decision.APPROVED)
    lost = approved.exclude(
        Q(state=Subject.State.QUEUED)
        | Q(batch__state__in=[*ON_ITS_WAY, Batch.COMPLETE])
        | Q(batch__state=Batch.NEEDS_ATTENTION, request__state=ErasureRequest.State.NEEDS_ATTENTION)
    )
    assert list(lost.values_list("pk", "state", "batch__state")) == []
    unexplained = DeletionBatch.objects.filter(state=Batch.NEEDS_ATTENTION, last_error="")
    assert list(unexplained.values_list("pk", flat=True)) == []


def evidence_holds(heap: HeapSandbox) -> None:
    # A POST refused for its token (401) did nothing: the client fetches a token and retries
    # it within the same attempt.
    log = heap.call_log()
    posts = sum(call["name"] == "user_deletion" and call["status"] != 401 for call in log)
    sent = SubmissionAttempt.objects.exclude(message__startswith="not sent")
    assert posts <= sent.count(), f"{posts} POSTs, {sent.count()} attempts that may have sent"
    recorded = {deletion["id"] for deletion in heap.deletions()}
    stored = set(SubmissionAttempt.objects.values_list("deletion_request_id", flat=True))
    quoted = "\n".join(SubmissionAttempt.objects.values_list("message", flat=True))
    kept = {given for given in recorded if given in stored or given in quoted}
    # Heap may record a deletion and answer an error, or nothing: that id never reached us.
    unanswered = [
        call
        for call in log
        if call["name"] == "user_deletion" and (call["status"] != 201 or call["faults"])
    ]
    assert len(recorded - kept) <= len(unanswered), f"not kept: {recorded - kept}"
    for batch in DeletionBatch.objects.filter(state=Batch.COMPLETE):
        assert StatusPoll.objects.filter(batch=batch, status="complete").exists(), batch.pk


def chain_holds() -> None:
    assert verify_chain(audit_events_iter()) is None
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def invariants_hold(heap: HeapSandbox) -> None:
    conservation_holds()
    evidence_holds(heap)
    chain_holds()


def tolerant(task: Callable[[int], object]) -> Callable[[int], object]:
    """A task as a worker runs it: whatever it raises is logged there and the loop goes on."""

    def run(batch_id: int) -> object:
        try:
            return task(batch_id)
        except Exception as error:
            return error

    return run


def time_passes() -> None:
    """Every lease expires, every retry and poll falls due: what waiting would bring."""
    past = timezone.now() - timedelta(seconds=1)
    DeletionBatch.objects.filter(state=Batch.SENDING).update(lease_until=past)
    DeletionBatch.objects.filter(state=Batch.READY).update(next_attempt_at=past)
    DeletionBatch.objects.filter(state=Batch.SUBMITTED).update(next_poll_at=past)


def sweep(times: int = 1) -> None:
    """What beat does every minute, `times` times with time passing in between: recover
    leases, pack, submit and poll what is due."""
    for _ in range(times):
        sweeps_run(submit=tolerant(batch_submit), poll=tolerant(batch_poll))
        time_passes()
