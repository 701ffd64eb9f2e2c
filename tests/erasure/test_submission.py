"""Submitting batches to the Heap sandbox, with the faults Heap may throw at us."""

from datetime import timedelta

import pytest
from django.utils import timezone

from heapprivacy.audit.chain import verify_chain
from heapprivacy.audit.selectors import audit_events_iter
from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, Subject, SubmissionAttempt
from heapprivacy.erasure.pipeline.packing import batches_pack
from heapprivacy.erasure.pipeline.polling import batch_poll
from heapprivacy.erasure.pipeline.recovery import leases_recover
from heapprivacy.erasure.pipeline.submission import batch_submit
from tests.erasure.factories import SYSTEM, make_request

pytestmark = pytest.mark.django_db

Outcome = SubmissionAttempt.Outcome


def packed_batch(account, identities=("alice@example.com", "bob@example.com")) -> DeletionBatch:
    request = make_request(account, list(identities))
    request_approve(request, actor=SYSTEM)
    (batch_id,) = batches_pack(account, release=True)
    return DeletionBatch.objects.get(pk=batch_id)


def heap_states(batch: DeletionBatch) -> set[str]:
    return set(batch.members.with_heap_state().values_list("heap_state", flat=True))


def retry_now(batch: DeletionBatch) -> None:
    DeletionBatch.objects.filter(pk=batch.pk).update(next_attempt_at=timezone.now())


def test_a_batch_is_submitted_polled_to_complete_and_its_request_completed(account, heap) -> None:
    batch = packed_batch(account)

    assert batch_submit(batch.pk) == Outcome.ACCEPTED
    batch.refresh_from_db()
    assert batch.state == DeletionBatch.State.SUBMITTED
    assert batch.deletion_request_id == heap.deletions()[0]["id"]
    assert set(batch.members.with_heap_state().values_list("heap_state", flat=True)) == {
        Subject.State.SUBMITTED
    }

    assert batch_poll(batch.pk) == "complete"
    batch.refresh_from_db()
    assert batch.state == DeletionBatch.State.COMPLETE
    assert set(batch.members.with_heap_state().values_list("heap_state", flat=True)) == {
        Subject.State.ERASED
    }
    assert ErasureRequest.objects.get().state == ErasureRequest.State.COMPLETED
    assert verify_chain(audit_events_iter()) is None


def test_a_201_alone_erases_nobody(account, heap) -> None:
    batch = packed_batch(account)

    batch_submit(batch.pk)

    assert not Subject.objects.with_heap_state().filter(heap_state=Subject.State.ERASED).exists()
    assert ErasureRequest.objects.get().state == ErasureRequest.State.IN_PROGRESS


def test_a_heap_500_is_retried_and_both_attempts_stay_on_record(account, heap) -> None:
    batch = packed_batch(account)
    heap.fault(path="user_deletion", status=500, times=1)

    assert batch_submit(batch.pk) == Outcome.TRANSIENT
    assert DeletionBatch.objects.get(pk=batch.pk).state == DeletionBatch.State.READY
    retry_now(batch)
    assert batch_submit(batch.pk) == Outcome.ACCEPTED

    attempts = list(batch.submissions.order_by("number").values_list("outcome", "http_status"))
    assert attempts == [(Outcome.TRANSIENT, 500), (Outcome.ACCEPTED, 201)]


def test_a_429_waits_at_least_as_long_as_retry_after(account, heap) -> None:
    batch = packed_batch(account)
    heap.fault(path="user_deletion", status=429, retry_after=120, times=1)

    batch_submit(batch.pk)

    batch.refresh_from_db()
    assert batch.next_attempt_at >= timezone.now() + timedelta(seconds=119)
    assert batch_submit(batch.pk) == "not_claimed"


def test_a_timeout_after_heap_recorded_the_call_is_resubmitted(account, heap) -> None:
    batch = packed_batch(account)
    heap.fault(path="user_deletion", hang=True, hang_seconds=30, after_processing=True, times=1)

    assert batch_submit(batch.pk) == Outcome.TRANSIENT
    first = batch.submissions.get()
    assert (first.error_class, first.maybe_processed) == ("HeapTimeout", True)
    retry_now(batch)
    assert batch_submit(batch.pk) == Outcome.ACCEPTED

    deletions = heap.deletions()
    batch.refresh_from_db()
    assert len(deletions) == 2
    assert batch.deletion_request_id == deletions[1]["id"]
    assert batch.submissions.count() == 2


def test_an_uncertain_outcome_goes_to_a_human_when_resubmission_is_off(
    account, heap, settings
) -> None:
    settings.HEAP_RESUBMIT_UNCERTAIN = False
    batch = packed_batch(account)
    heap.fault(path="user_deletion", status=502, times=1)

    batch_submit(batch.pk)

    assert DeletionBatch.objects.get(pk=batch.pk).state == DeletionBatch.State.NEEDS_ATTENTION


def test_a_400_stops_at_once_for_a_human_with_heaps_message(account, heap) -> None:
    batch = packed_batch(account)
    heap.fault(path="user_deletion", status=400, body="users[0] is invalid", times=1)

    assert batch_submit(batch.pk) == Outcome.PERMANENT

    batch.refresh_from_db()
    assert batch.state == DeletionBatch.State.NEEDS_ATTENTION
    assert "users[0] is invalid" in batch.submissions.get().message
    assert batch.attempts == 1
    assert ErasureRequest.objects.get().state == ErasureRequest.State.NEEDS_ATTENTION


def test_transient_failures_stop_after_the_attempt_cap(account, heap, settings) -> None:
    settings.HEAP_MAX_ATTEMPTS = 2
    batch = packed_batch(account)
    heap.fault(path="user_deletion", status=503)

    batch_submit(batch.pk)
    retry_now(batch)
    batch_submit(batch.pk)

    assert DeletionBatch.objects.get(pk=batch.pk).state == DeletionBatch.State.NEEDS_ATTENTION


def test_a_token_that_expired_between_batches_is_refreshed(account, heap) -> None:
    first, second = packed_batch(account, ["a"]), packed_batch(account, ["b"])
    heap.fault(path="auth_token", token_ttl=1, times=1)

    batch_submit(first.pk)
    heap.advance(5)

    assert batch_submit(second.pk) == Outcome.ACCEPTED
    assert heap.calls()["auth_token"] == 2
    assert heap.calls()["user_deletion"] == 3


def test_one_token_serves_many_batches(account, heap) -> None:
    batches = [packed_batch(account, [f"user-{n}"]) for n in range(3)]

    for batch in batches:
        batch_submit(batch.pk)

    assert heap.calls()["auth_token"] == 1


def test_a_worker_lost_mid_submission_is_recovered_and_resubmitted(account, heap) -> None:
    batch = packed_batch(account)
    DeletionBatch.objects.filter(pk=batch.pk).update(
        state=DeletionBatch.State.SENDING, attempts=1, lease_until=timezone.now()
    )
    SubmissionAttempt.objects.create(batch=batch, number=1, started_at=timezone.now())

    assert leases_recover() == [batch.pk]
    assert batch_submit(batch.pk) == Outcome.ACCEPTED

    outcomes = list(batch.submissions.order_by("number").values_list("outcome", flat=True))
    assert outcomes == [Outcome.LOST, Outcome.ACCEPTED]


def test_a_live_lease_is_left_alone(account, heap) -> None:
    batch = packed_batch(account)
    DeletionBatch.objects.filter(pk=batch.pk).update(
        state=DeletionBatch.State.SENDING, lease_until=timezone.now() + timedelta(minutes=5)
    )

    assert leases_recover() == []
