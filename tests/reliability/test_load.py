"""Load with faults: 8 API clients file and approve requests for LOAD_SECONDS while 2 real
workers send them to a Heap that answers every 10th call 503 and every 20th 429. Our API never
answers 5xx, every approved request completes, and the invariants hold (PostgreSQL: the
concurrency is real)."""

import os
import threading
import time
from pathlib import Path

import pytest
import requests
from pytest_django.live_server_helper import LiveServer

from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.erasure.tasks import run_sweeps
from tests.api.conftest import client_with
from tests.erasure.conftest import APP_ID, HeapSandbox
from tests.erasure.factories import make_account
from tests.reliability.invariants import invariants_hold
from tests.support.processes import celery_worker, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

CLIENTS = 8
# The issue asks for 60 s; 20 s by default keeps the suite's time, LOAD_SECONDS=60 for the full run.
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "20"))
PIPELINE_ENV = {"BATCH_LINGER": "0", "POLL_FIRST_DELAY": "0", "HEAP_RETRY_BASE_DELAY": "0"}


@pytest.fixture
def faulty_heap(heap: HeapSandbox) -> HeapSandbox:
    heap.fault(path="*", status=503, every=10)
    heap.fault(path="*", status=429, retry_after=1, every=20)
    return heap


def file_and_approve(base: str, creator: str, decider: str, until: float, seen: list[int]) -> None:
    session = requests.Session()
    n = 0
    while time.monotonic() < until:
        n += 1
        body = {
            "subjects": [{"kind": "identity", "value": f"{threading.get_ident()}-{n}@example.com"}],
            "heap_account": "acme",
        }
        created = session.post(
            f"{base}/api/v1/requests", json=body, headers={"Authorization": f"Bearer {creator}"}
        )
        seen.append(created.status_code)
        if created.status_code != 201:
            continue
        approved = session.post(
            created.json()["links"]["approve"],
            json={"verification_override": "load test: identity checked elsewhere"},
            headers={"Authorization": f"Bearer {decider}"},
        )
        seen.append(approved.status_code)


def test_clients_and_workers_under_heap_faults_lose_nothing_and_never_answer_5xx(
    live_server: LiveServer, faulty_heap: HeapSandbox, tmp_path: Path, settings
) -> None:
    settings.API_RATE_LIMIT = "100000/m"
    make_account(base_url=faulty_heap.url, app_id=APP_ID)
    _, creator = client_with("requests:create", "requests:read")
    _, decider = client_with("requests:decide", "requests:read")
    statuses: list[int] = []
    until = time.monotonic() + LOAD_SECONDS
    clients = [
        threading.Thread(
            target=file_and_approve, args=(live_server.url, creator, decider, until, statuses)
        )
        for _ in range(CLIENTS)
    ]

    with celery_worker(tmp_path, env=PIPELINE_ENV), celery_worker(tmp_path, env=PIPELINE_ENV):
        for client in clients:
            client.start()
        while any(client.is_alive() for client in clients):
            run_sweeps.delay()  # what beat does every minute
            time.sleep(1)

        def all_completed() -> bool:
            run_sweeps.delay()
            approved = ErasureRequest.objects.filter(decision="approved")
            return not approved.exclude(state=ErasureRequest.State.COMPLETED).exists()

        wait_until(all_completed, timeout=240, interval=1, what="every approved request done")

    assert [status for status in statuses if status >= 500] == []
    assert statuses.count(201) >= CLIENTS  # each client filed at least one
    heap_answers = [call["status"] for call in faulty_heap.call_log()]
    assert {503, 429} <= set(heap_answers)  # the faults fired, and were ridden out
    invariants_hold(faulty_heap)
