from datetime import timedelta

import pytest
from django.utils import timezone

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import DeletionBatch, Subject
from heapprivacy.erasure.pipeline.polling import batch_poll
from heapprivacy.erasure.pipeline.submission import batch_submit
from tests.erasure.factories import make_request
from tests.erasure.test_submission import packed_batch

pytestmark = pytest.mark.django_db


def submitted_batch(account) -> DeletionBatch:
    batch = packed_batch(account)
    batch_submit(batch.pk)
    return DeletionBatch.objects.get(pk=batch.pk)


def poll_now(batch: DeletionBatch) -> str:
    DeletionBatch.objects.filter(pk=batch.pk).update(next_poll_at=timezone.now())
    return batch_poll(batch.pk)


def test_an_undocumented_status_is_recorded_and_never_counts_as_complete(account, heap) -> None:
    batch = submitted_batch(account)
    heap.fault(path="deletion_status", deletion_status_value="Completed-ish", times=1)

    assert poll_now(batch) == "Completed-ish"

    batch.refresh_from_db()
    assert batch.state == DeletionBatch.State.SUBMITTED
    assert batch.status_polls.get().status == "Completed-ish"
    assert AuditEvent.objects.filter(action="batch.status_undocumented").exists()
    assert not Subject.objects.with_heap_state().filter(heap_state=Subject.State.ERASED).exists()
    assert poll_now(batch) == "complete"


def test_pending_polls_back_off(account, heap, settings) -> None:
    settings.POLL_FIRST_DELAY, settings.POLL_MAX_INTERVAL = 60, 3600
    batch = submitted_batch(account)
    heap.fault(path="deletion_status", deletion_status_value="pending", times=3)

    delays = []
    for _ in range(3):
        before = timezone.now()
        poll_now(batch)
        batch.refresh_from_db()
        delays.append(round((batch.next_poll_at - before).total_seconds() / 60))

    assert delays == [2, 4, 8]


def test_a_batch_heap_does_not_know_goes_to_a_human(account, heap) -> None:
    batch = submitted_batch(account)
    DeletionBatch.objects.filter(pk=batch.pk).update(deletion_request_id="unknown-id")

    assert poll_now(batch) == "HeapNotFound"

    assert DeletionBatch.objects.get(pk=batch.pk).state == DeletionBatch.State.NEEDS_ATTENTION


def test_polling_gives_up_after_poll_give_up_after(account, heap, settings) -> None:
    batch = submitted_batch(account)
    DeletionBatch.objects.filter(pk=batch.pk).update(
        submitted_at=timezone.now() - timedelta(seconds=settings.POLL_GIVE_UP_AFTER + 1)
    )
    heap.fault(path="deletion_status", deletion_status_value="pending", times=1)

    poll_now(batch)

    assert DeletionBatch.objects.get(pk=batch.pk).state == DeletionBatch.State.NEEDS_ATTENTION


def test_a_poll_that_is_not_due_does_nothing(account, heap, settings) -> None:
    settings.POLL_FIRST_DELAY = 600
    batch = submitted_batch(account)

    assert batch_poll(batch.pk) == "not_claimed"


def test_completing_a_batch_flags_its_subjects_in_requests_still_waiting(account, heap) -> None:
    waiting = make_request(account, ["alice@example.com"])
    batch = submitted_batch(account)

    assert poll_now(batch) == "complete"

    assert waiting.subjects.get().previously_erased
    event = AuditEvent.objects.get(action="request.previously_erased")
    assert (event.request_ref, event.details["erased_by_batch"]) == (waiting.reference, batch.pk)
