"""Heap answers the product must survive: each test injects one fault in the sandbox, sweeps
until the pipeline settles, and checks the invariants."""

import contextlib
import logging

import pytest
from cryptography.fernet import Fernet

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, SubmissionAttempt
from heapprivacy.erasure.pipeline import submission
from tests.erasure.factories import SYSTEM, make_request
from tests.reliability.invariants import invariants_hold, sweep, time_passes

pytestmark = pytest.mark.django_db

LONG_ID = "d" * 300  # longer than any column once sized for a UUID


@pytest.fixture
def approved(account) -> ErasureRequest:
    request = make_request(account, ["alice@example.com", "bob@example.com"])
    request_approve(request, actor=SYSTEM)
    return request


def test_a_deletion_request_id_too_long_to_keep_is_recorded_and_stops_resubmission(
    approved, heap, settings
) -> None:
    settings.HEAP_MAX_ATTEMPTS = 3
    heap.fault(path="user_deletion", deletion_request_id=LONG_ID, times=100)

    sweep(times=6)

    batch = DeletionBatch.objects.get()
    assert batch.state == DeletionBatch.State.NEEDS_ATTENTION
    assert heap.calls()["user_deletion"] == SubmissionAttempt.objects.count() <= 3
    assert batch.last_error == "still failing after 3 attempts"
    assert all(LONG_ID in attempt.message for attempt in SubmissionAttempt.objects.all())
    assert ErasureRequest.objects.get().state == ErasureRequest.State.NEEDS_ATTENTION
    invariants_hold(heap)


def test_a_deletion_status_too_long_to_keep_is_recorded_and_polling_gives_up(
    approved, heap, settings
) -> None:
    settings.POLL_GIVE_UP_AFTER = 0
    heap.fault(path="deletion_status", deletion_status_value="s" * 300, times=100)

    sweep(times=4)

    batch = DeletionBatch.objects.get()
    assert batch.state == DeletionBatch.State.NEEDS_ATTENTION
    assert batch.status_polls.count() >= 1
    assert batch.last_error == "deletion_status failed: HeapProtocolError"
    assert "over the 255 kept" in batch.status_polls.first().message
    assert AuditEvent.objects.filter(action="batch.needs_attention").count() == 1
    invariants_hold(heap)


def test_an_api_key_no_key_decrypts_is_never_sent_and_not_called_lost(
    approved, heap, settings
) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    sweep(times=4)

    batch = DeletionBatch.objects.get()
    assert heap.calls()["user_deletion"] == 0
    assert batch.state == DeletionBatch.State.NEEDS_ATTENTION
    assert "FIELD_ENCRYPTION_KEYS" in batch.last_error
    outcomes = list(batch.submissions.values_list("outcome", "maybe_processed"))
    assert outcomes == [(SubmissionAttempt.Outcome.PERMANENT, False)]
    invariants_hold(heap)


class WorkerKilled(BaseException):
    """What SIGKILL leaves behind at the POST: the claim committed, no outcome, no handler."""


def test_a_batch_whose_worker_keeps_dying_stops_after_heap_max_attempts(
    approved, heap, settings, monkeypatch
) -> None:
    settings.HEAP_MAX_ATTEMPTS = 2

    def killed(account: object) -> None:
        raise WorkerKilled

    monkeypatch.setattr(submission, "heap_client", killed)
    for _ in range(4):  # the lease expires each time, and the batch is claimed again
        with contextlib.suppress(WorkerKilled):
            sweep()
        time_passes()

    batch = DeletionBatch.objects.get()
    assert batch.state == DeletionBatch.State.NEEDS_ATTENTION
    assert batch.attempts == 2
    assert "worker lost" in batch.last_error
    assert ErasureRequest.objects.get().state == ErasureRequest.State.NEEDS_ATTENTION
    invariants_hold(heap)


def test_a_worker_killed_with_resubmission_off_hands_the_batch_to_a_person(
    approved, heap, settings, monkeypatch
) -> None:
    settings.HEAP_RESUBMIT_UNCERTAIN = False

    def killed(account: object) -> None:
        raise WorkerKilled

    monkeypatch.setattr(submission, "heap_client", killed)
    with contextlib.suppress(WorkerKilled):
        sweep()
    time_passes()
    sweep(times=2)

    batch = DeletionBatch.objects.get()
    assert batch.state == DeletionBatch.State.NEEDS_ATTENTION
    assert batch.attempts == 1
    assert list(batch.submissions.values_list("outcome", flat=True)) == ["lost"]
    assert ErasureRequest.objects.get().state == ErasureRequest.State.NEEDS_ATTENTION
    invariants_hold(heap)


def test_the_id_heap_gives_is_logged_before_it_is_stored(approved, heap, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="heapprivacy.erasure"):
        sweep()

    (deletion,) = heap.deletions()
    batch = DeletionBatch.objects.get()
    assert (
        f"Heap accepted batch {batch.pk} (attempt 1) as deletion_request_id {deletion['id']}"
        in (caplog.text)
    )
