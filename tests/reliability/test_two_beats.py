"""Two beat processes at once (a deployment that started a second one by mistake): each sends
the minute's sweeps, a real worker runs them all, and nothing is batched or sent twice."""

from pathlib import Path

import pytest

from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest
from tests.erasure.conftest import APP_ID, HeapSandbox
from tests.erasure.factories import SYSTEM, make_account, make_request
from tests.reliability.invariants import invariants_hold
from tests.support.processes import celery_beat, celery_worker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ENV = {"BATCH_LINGER": "0", "POLL_FIRST_DELAY": "0", "HEAP_RETRY_BASE_DELAY": "0"}


def test_two_beats_send_the_sweeps_twice_and_nothing_is_sent_twice(
    tmp_path: Path, heap: HeapSandbox, settings
) -> None:
    settings.BATCH_LINGER = 0
    account = make_account(base_url=heap.url, app_id=APP_ID)
    request_approve(make_request(account, ["alice@example.com", "bob@example.com"]), actor=SYSTEM)

    with (
        celery_worker(tmp_path, env=ENV),
        celery_beat(tmp_path, env=ENV),
        celery_beat(tmp_path, env=ENV),
    ):
        done = ErasureRequest.State.COMPLETED
        # The sweeps run at the top of each minute: at most two minutes' wait.
        wait_until(
            lambda: ErasureRequest.objects.get().state == done, timeout=150, what="completion"
        )

    beats = [log.read_text() for log in tmp_path.glob("beat-*.log")]
    assert len(beats) == 2
    assert all("Sending due task erasure-sweeps" in log for log in beats)  # both fired
    assert DeletionBatch.objects.count() == 1
    assert heap.calls()["user_deletion"] == 1
    invariants_hold(heap)
