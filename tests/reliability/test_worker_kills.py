"""SIGKILL of one worker pool child while Heap holds its POST (Heap has recorded the deletion;
the answer never comes back): the parent survives and redelivers the message, which finds the
batch claimed; the lease sweep resubmits once the lease has expired. Both attempts stay on
record, both deletions reached Heap, and the invariants hold."""

import os
import signal
from pathlib import Path

import pytest
from django.core.cache import cache

from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import ErasureRequest, SubmissionAttempt
from heapprivacy.erasure.tasks import run_sweeps
from heapprivacy.sandbox import Sandbox, SandboxConfig
from tests.erasure.conftest import APP_ID, HeapSandbox
from tests.erasure.factories import API_KEY, SYSTEM, make_account, make_request
from tests.reliability.invariants import invariants_hold
from tests.support.processes import celery_worker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ENV = {
    "BATCH_LINGER": "0",
    "POLL_FIRST_DELAY": "0",
    "HEAP_RETRY_BASE_DELAY": "0",
    "BATCH_LEASE": "3",
    "HEAP_READ_TIMEOUT": "60",
}


@pytest.fixture
def heap() -> HeapSandbox:
    cache.clear()
    with Sandbox(SandboxConfig(accounts={APP_ID: API_KEY}, complete_after=0)) as sandbox:
        yield HeapSandbox(sandbox)


def pool_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def test_a_pool_child_killed_during_the_post_is_recovered(
    tmp_path: Path, heap: HeapSandbox, settings
) -> None:
    settings.BATCH_LINGER = 0
    account = make_account(base_url=heap.url, app_id=APP_ID)
    request_approve(make_request(account, ["alice@example.com"]), actor=SYSTEM)
    heap.fault(path="user_deletion", hang=True, hang_seconds=5, after_processing=True, times=1)

    with celery_worker(tmp_path, env=ENV) as worker:
        wait_until(lambda: pool_children(worker.process.pid), what="the pool child")
        run_sweeps.delay()
        wait_until(lambda: heap.calls()["user_deletion"] == 1, what="the POST to reach Heap")
        for child in pool_children(worker.process.pid):
            os.kill(child, signal.SIGKILL)

        def completed() -> bool:
            run_sweeps.delay()  # what beat does every minute
            return ErasureRequest.objects.get().state == ErasureRequest.State.COMPLETED

        wait_until(completed, timeout=120, interval=1, what="the request to complete")
        assert worker.process.poll() is None  # the parent lived on

    outcomes = SubmissionAttempt.objects.order_by("number").values_list("outcome", flat=True)
    assert list(outcomes) == ["lost", "accepted"]
    assert len(heap.deletions()) == 2
    invariants_hold(heap)
