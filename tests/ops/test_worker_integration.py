"""A real Celery worker subprocess consumes a task sent from the test process."""

from pathlib import Path

import pytest

from heapprivacy.ops.models import WorkerHeartbeat
from heapprivacy.ops.tasks import record_heartbeat
from tests.support.processes import celery_worker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_records_its_heartbeat_in_the_database(tmp_path: Path) -> None:
    with celery_worker(tmp_path) as worker:
        record_heartbeat.delay()

        heartbeat = wait_until(
            lambda: WorkerHeartbeat.objects.filter(hostname=worker.hostname).first(),
            what=f"a heartbeat from {worker.hostname}",
        )

    assert heartbeat.seen_at is not None
