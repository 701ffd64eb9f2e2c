"""`manage.py run_sweeps`: one pass doing the Heap calls here (--once), or Celery messages."""

import json
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from heapprivacy.erasure.lifecycle.requests import request_approve, request_reject
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, HeapAccount, Subject
from tests.erasure.conftest import HeapSandbox
from tests.erasure.factories import API_KEY, SYSTEM, make_request

pytestmark = pytest.mark.django_db
NOTHING_DONE = "recovered 0, packed 0, submitted 0, polled 0 batches; 0 emails due\n"

IDENTITIES = ["alice@example.com", "bob@example.com"]


def run_sweeps(*args: str) -> str:
    stdout = StringIO()
    call_command("run_sweeps", *args, stdout=stdout, stderr=StringIO())
    return stdout.getvalue()


@pytest.fixture
def approved(account: HeapAccount, settings) -> ErasureRequest:
    settings.BATCH_LINGER = 0
    settings.POLL_FIRST_DELAY = 60  # so the first poll falls due on a later pass, not this one
    request = make_request(account, IDENTITIES)
    request_approve(request, actor=SYSTEM)
    return request


def later(seconds: int) -> time_machine.travel:
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=True)


def test_once_packs_and_submits_an_approved_request_to_heap(
    approved: ErasureRequest, heap: HeapSandbox, published: list
) -> None:
    stdout = run_sweeps("--once")

    assert stdout == "recovered 0, packed 1, submitted 1, polled 0 batches; 0 emails due\n"
    batch = DeletionBatch.objects.get()
    assert (batch.state, batch.size) == (DeletionBatch.State.SUBMITTED, 2)
    assert batch.deletion_request_id
    [deletion] = heap.deletions()
    assert sorted(user["identity"] for user in deletion["users"]) == IDENTITIES
    approved.refresh_from_db()
    assert approved.state == ErasureRequest.State.IN_PROGRESS
    assert published == []


def test_once_polls_on_a_later_pass_and_completes_the_request(
    approved: ErasureRequest, heap: HeapSandbox
) -> None:
    run_sweeps("--once")
    assert run_sweeps("--once") == NOTHING_DONE

    with later(61):
        stdout = run_sweeps("--once")

    assert stdout == "recovered 0, packed 0, submitted 0, polled 1 batches; 0 emails due\n"
    assert DeletionBatch.objects.get().state == DeletionBatch.State.COMPLETE
    assert set(Subject.objects.with_heap_state().values_list("heap_state", flat=True)) == {
        Subject.State.ERASED
    }
    approved.refresh_from_db()
    assert approved.state == ErasureRequest.State.COMPLETED
    assert heap.calls() == Counter(auth_token=1, user_deletion=1, deletion_status=1)


def test_once_with_nothing_to_do_calls_nobody(heap: HeapSandbox, account: HeapAccount) -> None:
    assert run_sweeps("--once") == NOTHING_DONE

    assert heap.calls() == Counter()


def test_a_queued_subject_waits_for_the_batch_linger(
    account: HeapAccount, heap: HeapSandbox, settings
) -> None:
    settings.BATCH_LINGER = 900
    request_approve(make_request(account, IDENTITIES), actor=SYSTEM)

    assert run_sweeps("--once") == NOTHING_DONE

    assert not DeletionBatch.objects.exists()
    assert heap.calls() == Counter()


def test_without_once_submission_is_a_celery_message_with_only_the_batch_id(
    approved: ErasureRequest, heap: HeapSandbox, published: list
) -> None:
    stdout = run_sweeps()

    assert stdout == "recovered 0, packed 1, submitted 1, polled 0 batches; 0 emails due\n"
    batch = DeletionBatch.objects.get()
    assert [(headers["task"], list(body[0]), body[1]) for headers, body in published] == [
        ("heapprivacy.erasure.tasks.submit_batch", [batch.pk], {})
    ]
    assert_no_secret_or_identity(published)
    assert batch.state == DeletionBatch.State.READY
    assert heap.calls() == Counter()


def test_without_once_a_due_poll_is_a_celery_message_with_only_the_batch_id(
    approved: ErasureRequest, heap: HeapSandbox, published: list
) -> None:
    run_sweeps("--once")
    calls_after_submission = heap.calls()

    with later(61):
        stdout = run_sweeps()

    assert stdout == "recovered 0, packed 0, submitted 0, polled 1 batches; 0 emails due\n"
    batch = DeletionBatch.objects.get()
    assert [(headers["task"], list(body[0]), body[1]) for headers, body in published] == [
        ("heapprivacy.erasure.tasks.poll_batch", [batch.pk], {})
    ]
    assert_no_secret_or_identity(published)
    assert batch.state == DeletionBatch.State.SUBMITTED
    assert heap.calls() == calls_after_submission


def assert_no_secret_or_identity(published: list[tuple[dict, object]]) -> None:
    for headers, body in published:
        assert all(type(arg) is int for arg in body[0])
        sent = json.dumps([headers, body], default=str)
        assert API_KEY not in sent
        assert not [identity for identity in IDENTITIES if identity in sent]


def test_once_also_sends_the_emails_that_are_due(account: HeapAccount, mailoutbox: list) -> None:
    request = make_request(account, IDENTITIES, requester_email="subject@example.com")
    request_reject(request, actor=SYSTEM, reason_code="not_a_subject")

    assert run_sweeps("--once").endswith("; 1 emails due\n")
    assert [message.to for message in mailoutbox] == [["subject@example.com"]]
