"""The broker restarted with its queue lost: a submit message published, then Redis killed and
started again empty. The work is in the database, not the broker: the next sweep sends the
batch again through a real worker, and the invariants hold.

The test runs its own redis-server on a free port, so the suite's broker is left alone.
"""

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery
from kombu import Connection

from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, SubmissionAttempt
from heapprivacy.erasure.pipeline.sweeps import sweeps_run
from tests.erasure.conftest import APP_ID, HeapSandbox
from tests.erasure.factories import SYSTEM, make_account, make_request
from tests.reliability.invariants import invariants_hold
from tests.support.processes import celery_worker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PIPELINE_ENV = {"BATCH_LINGER": "0", "POLL_FIRST_DELAY": "0", "HEAP_RETRY_BASE_DELAY": "0"}
PRODUCER = Celery(set_as_current=False)  # sends to the broker each test names


class RedisServer:
    """A redis-server of the test's own, that it can kill and start again on the same port."""

    def __init__(self, directory: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.process = subprocess.Popen(
            [*command, "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=10, what="redis-server to answer")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as peer:
                peer.sendall(b"PING\r\n")
                return peer.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def approved(heap: HeapSandbox, settings) -> None:
    """An approved request, packed at the first sweep, on an account of the sandbox."""
    settings.BATCH_LINGER = 0
    account = make_account(base_url=heap.url, app_id=APP_ID)
    request_approve(make_request(account, ["alice@example.com"]), actor=SYSTEM)


def send(broker: str, task: str, *args: int) -> None:
    """Publish a task on `broker` (CELERY_BROKER_URL in the environment outranks `broker=`)."""
    with Connection(broker) as connection:
        PRODUCER.send_task(f"heapprivacy.erasure.tasks.{task}", args=args, connection=connection)


def test_a_queue_lost_with_its_broker_loses_no_batch(
    tmp_path: Path, redis: RedisServer, heap: HeapSandbox, approved: None
) -> None:
    sweeps_run(submit=lambda pk: send(redis.url, "submit_batch", pk), poll=lambda pk: None)
    assert DeletionBatch.objects.get().state == DeletionBatch.State.READY
    redis.kill()  # the queued submit message dies with it
    redis.start()

    with celery_worker(tmp_path, env={**PIPELINE_ENV, "CELERY_BROKER_URL": redis.url}):

        def completed() -> bool:
            send(redis.url, "run_sweeps")  # what beat does every minute
            return ErasureRequest.objects.get().state == ErasureRequest.State.COMPLETED

        wait_until(completed, timeout=120, interval=1, what="the request to complete")

    assert heap.calls()["user_deletion"] == 1
    invariants_hold(heap)


def test_a_task_killed_at_its_hard_time_limit_leaves_its_batch_to_the_lease_sweep(
    tmp_path: Path, redis: RedisServer, heap: HeapSandbox, approved: None
) -> None:
    heap.fault(path="user_deletion", hang=True, hang_seconds=30, after_processing=True, times=1)
    env = {
        **PIPELINE_ENV,
        "CELERY_BROKER_URL": redis.url,
        # The hard limit, with the soft one at the same moment (it may not come later).
        "CELERY_TASK_TIME_LIMIT": "2",
        "CELERY_TASK_SOFT_TIME_LIMIT": "2",
        "HEAP_READ_TIMEOUT": "60",
        "BATCH_LEASE": "3",
    }
    with celery_worker(tmp_path, env=env):

        def completed() -> bool:
            send(redis.url, "run_sweeps")
            return ErasureRequest.objects.get().state == ErasureRequest.State.COMPLETED

        wait_until(completed, timeout=120, interval=1, what="the request to complete")

    outcomes = list(SubmissionAttempt.objects.order_by("number").values_list("outcome", flat=True))
    assert outcomes == ["lost", "accepted"]
    invariants_hold(heap)


def rabbitmq_answers() -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", 5672)) == 0


@pytest.mark.skipif(
    not rabbitmq_answers(), reason="needs RabbitMQ on 127.0.0.1:5672 (.ci/run starts it)"
)
def test_the_pipeline_runs_on_an_amqp_broker(
    tmp_path: Path, heap: HeapSandbox, approved: None
) -> None:
    """README offers RabbitMQ (amqp://) besides Redis: a real worker on it completes a batch."""
    amqp = "amqp://guest:guest@127.0.0.1:5672//"
    with Connection(amqp) as connection:
        PRODUCER.control.purge(connection=connection)

    with celery_worker(tmp_path, env={**PIPELINE_ENV, "CELERY_BROKER_URL": amqp}, purge=False):

        def completed() -> bool:
            send(amqp, "run_sweeps")
            return ErasureRequest.objects.get().state == ErasureRequest.State.COMPLETED

        wait_until(completed, timeout=120, interval=1, what="the request to complete")

    invariants_hold(heap)
