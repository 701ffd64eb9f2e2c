"""Every Heap fault of the matrix, injected in the sandbox: the pipeline retries what is
transient until Heap confirms, and hands what is not to a person with a reason. After the
sweeps, conservation, evidence and the audit chain hold (invariants.py)."""

import contextlib
import socket
from collections.abc import Iterator

import pytest

from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, SubmissionAttempt
from heapprivacy.erasure.pipeline.packing import batches_pack
from heapprivacy.erasure.pipeline.polling import batch_poll
from heapprivacy.erasure.pipeline.submission import batch_submit
from tests.erasure.factories import SYSTEM, make_request
from tests.reliability.invariants import invariants_hold, sweep

pytestmark = pytest.mark.django_db

Batch = DeletionBatch.State

# Faults that pass: the batch completes, and Heap erased every subject.
TRANSIENT = {
    "500 on the POST": {"path": "user_deletion", "status": 500, "times": 2},
    "502 on the POST": {"path": "user_deletion", "status": 502, "times": 2},
    "503 on the POST": {"path": "user_deletion", "status": 503, "times": 2},
    "429 with Retry-After": {"path": "user_deletion", "status": 429, "retry_after": 1, "times": 2},
    "429 without Retry-After": {"path": "user_deletion", "status": 429, "times": 2},
    "500 after Heap recorded the deletion": {
        "path": "user_deletion",
        "status": 500,
        "after_processing": True,
        "times": 1,
    },
    "read timeout after Heap recorded the deletion": {
        "path": "user_deletion",
        "hang": True,
        "hang_seconds": 2,
        "after_processing": True,
        "times": 1,
    },
    "a 201 without a parsable id": {
        "path": "user_deletion",
        "status": 201,
        "body": "accepted",
        "after_processing": True,
        "times": 1,
    },
    "the connection closed after Heap read the body": {
        "path": "user_deletion",
        "hang": True,
        "hang_seconds": 0.1,
        "after_processing": True,
        "times": 1,
    },
    "500 on auth_token": {"path": "auth_token", "status": 500, "times": 2},
    "500 on deletion_status": {"path": "deletion_status", "status": 500, "times": 2},
    "an undocumented status": {
        "path": "deletion_status",
        "deletion_status_value": "processing",
        "times": 2,
    },
    "a very slow deletion_status": {"path": "deletion_status", "latency_ms": 2000, "times": 1},
}

# Faults a person must look at: the batch and its request need attention, with a reason.
PERMANENT = {
    "400 on the POST": ({"path": "user_deletion", "status": 400}, "Heap refused the batch"),
    "401 on auth_token (a bad key)": ({"path": "auth_token", "status": 401}, "Heap refused"),
    "404 on deletion_status": (
        {"path": "deletion_status", "status": 404},
        "deletion_status failed: HeapNotFound",
    ),
}


@pytest.fixture
def approved(account) -> ErasureRequest:
    request = make_request(account, ["alice@example.com", "bob@example.com"])
    request_approve(request, actor=SYSTEM)
    return request


@pytest.mark.parametrize("fault", TRANSIENT.values(), ids=TRANSIENT.keys())
def test_a_transient_fault_is_retried_until_heap_confirms(approved, heap, fault) -> None:
    heap.fault(**fault)

    sweep(times=8)

    assert DeletionBatch.objects.get().state == Batch.COMPLETE
    assert ErasureRequest.objects.get().state == ErasureRequest.State.COMPLETED
    invariants_hold(heap)


@pytest.mark.parametrize(("fault", "reason"), PERMANENT.values(), ids=PERMANENT.keys())
def test_a_permanent_fault_goes_to_a_person_with_its_reason(approved, heap, fault, reason) -> None:
    heap.fault(**fault)

    sweep(times=4)

    batch = DeletionBatch.objects.get()
    assert batch.state == Batch.NEEDS_ATTENTION
    assert batch.last_error.startswith(reason)
    assert ErasureRequest.objects.get().state == ErasureRequest.State.NEEDS_ATTENTION
    invariants_hold(heap)


def test_a_bad_key_on_auth_token_sends_no_deletion(approved, heap) -> None:
    heap.fault(path="auth_token", status=401)

    sweep(times=4)

    assert heap.calls()["user_deletion"] == 0


def test_heap_refusing_connections_delays_the_batch_and_loses_nothing(
    approved, heap, account
) -> None:
    reachable = account.deletion_base_url
    type(account).objects.filter(pk=account.pk).update(deletion_base_url="http://127.0.0.1:9")

    sweep(times=2)
    assert DeletionBatch.objects.get().state == Batch.READY
    type(account).objects.filter(pk=account.pk).update(deletion_base_url=reachable)
    sweep(times=4)

    assert DeletionBatch.objects.get().state == Batch.COMPLETE
    invariants_hold(heap)


def test_a_token_that_dies_early_is_fetched_again_mid_run(approved, heap, account) -> None:
    heap.fault(path="auth_token", token_ttl=1, times=1)
    sweep()  # the first batch, with a short-lived token the client keeps
    later = make_request(account, ["carol@example.com"])
    request_approve(later, actor=SYSTEM)
    heap.advance(5)

    sweep(times=3)

    assert heap.calls()["auth_token"] == 2
    assert set(DeletionBatch.objects.values_list("state", flat=True)) == {Batch.COMPLETE}
    invariants_hold(heap)


def test_a_duplicated_celery_message_sends_and_polls_once(approved, heap) -> None:
    (batch_id,) = batches_pack(approved.subjects.first().account, release=True)

    assert [batch_submit(batch_id), batch_submit(batch_id)] == ["accepted", "not_claimed"]
    assert [batch_poll(batch_id), batch_poll(batch_id)] == ["complete", "not_claimed"]
    assert (heap.calls()["user_deletion"], heap.calls()["deletion_status"]) == (1, 1)
    invariants_hold(heap)


@pytest.fixture
def black_hole() -> Iterator[str]:
    """An address whose connects time out: a listening socket with a full backlog, never
    accepting (Linux drops the SYNs it has no room for)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    waiting = []
    for _ in range(2):  # fill the backlog; the second waits, as ours will
        client = socket.socket()
        client.settimeout(0.5)
        with contextlib.suppress(TimeoutError):
            client.connect(("127.0.0.1", port))
        waiting.append(client)
    yield f"http://127.0.0.1:{port}"
    for client in waiting:
        client.close()
    server.close()


def test_a_connect_timeout_delays_the_batch_and_loses_nothing(
    approved, heap, account, black_hole, settings
) -> None:
    settings.HEAP_CONNECT_TIMEOUT = 0.5
    reachable = account.deletion_base_url
    type(account).objects.filter(pk=account.pk).update(deletion_base_url=black_hole)

    sweep(times=2)
    assert DeletionBatch.objects.get().state == Batch.READY
    assert heap.calls()["user_deletion"] == 0
    first = SubmissionAttempt.objects.order_by("number").first()
    assert (first.error_class, first.maybe_processed) == ("HeapConnectionError", False)
    type(account).objects.filter(pk=account.pk).update(deletion_base_url=reachable)
    sweep(times=4)

    assert DeletionBatch.objects.get().state == Batch.COMPLETE
    invariants_hold(heap)
