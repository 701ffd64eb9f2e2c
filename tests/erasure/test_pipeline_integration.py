"""The whole pipeline: CSV import, a real Celery worker, and the Heap sandbox over HTTP."""

import csv
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from heapprivacy.audit.chain import verify_chain
from heapprivacy.audit.selectors import audit_events_iter
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, Subject, SubmissionAttempt
from heapprivacy.erasure.tasks import run_sweeps
from heapprivacy.sandbox import Sandbox, SandboxConfig
from tests.erasure.conftest import HeapSandbox
from tests.erasure.factories import make_account
from tests.support.processes import celery_worker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ACCOUNTS = {"1111111111": "key-of-account-one", "2222222222": "key-of-account-two"}
PIPELINE_ENV = {"BATCH_LINGER": "0", "POLL_FIRST_DELAY": "0", "HEAP_RETRY_BASE_DELAY": "0"}


@pytest.fixture
def heap() -> HeapSandbox:
    cache.clear()  # no token left over from an earlier run in a shared cache
    with Sandbox(SandboxConfig(accounts=dict(ACCOUNTS), complete_after=0)) as sandbox:
        yield HeapSandbox(sandbox)


@pytest.fixture
def accounts(heap: HeapSandbox) -> list[str]:
    for number, (app_id, api_key) in enumerate(ACCOUNTS.items()):
        make_account(f"account-{number}", heap.url, app_id=app_id, api_key=api_key)
    return ["account-0", "account-1"]


def import_csv(tmp_path: Path, account: str, requests: dict[str, int]) -> None:
    path = tmp_path / f"{account}.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["identity", "external_ref"])
        for ref, count in requests.items():
            writer.writerows([f"{ref}-user-{n}@example.com", ref] for n in range(count))
    call_command("import_requests", str(path), account=account, approve=True, stdout=None)


def sweep_until_all_completed(expected: int, timeout: float = 240) -> None:
    def completed() -> bool:
        run_sweeps.delay()  # what beat does every minute, here every second
        return ErasureRequest.objects.filter(state="completed").count() == expected

    wait_until(completed, timeout=timeout, interval=1, what=f"{expected} completed requests")


def test_25001_subjects_reach_heap_in_the_fewest_calls_and_are_erased(
    tmp_path: Path, heap: HeapSandbox, accounts: list[str]
) -> None:
    import_csv(tmp_path, accounts[0], {"R1": 10_000, "R2": 5_001})
    import_csv(tmp_path, accounts[1], {"R3": 10_000})

    with celery_worker(tmp_path, env=PIPELINE_ENV):
        sweep_until_all_completed(3)

    assert Subject.objects.with_heap_state().exclude(heap_state=Subject.State.ERASED).count() == 0
    assert Subject.objects.count() == 25_001
    calls = heap.calls()
    assert calls["user_deletion"] == 3  # ceil(15,001 / 10,000) + ceil(10,000 / 10,000)
    assert calls["auth_token"] == 2  # one per account: the token lasts the whole run
    assert verify_chain(audit_events_iter()) is None
    worker_log = "".join(path.read_text() for path in tmp_path.glob("*.log"))
    assert not [key for key in ACCOUNTS.values() if key in worker_log]


def test_a_worker_killed_mid_submission_is_recovered_by_the_lease_sweep(
    tmp_path: Path, heap: HeapSandbox, accounts: list[str]
) -> None:
    import_csv(tmp_path, accounts[0], {"R1": 3})
    heap.fault(path="user_deletion", hang=True, hang_seconds=60, after_processing=True, times=1)
    env = {**PIPELINE_ENV, "BATCH_LEASE": "3", "HEAP_READ_TIMEOUT": "60"}

    with celery_worker(tmp_path, env=env) as worker:
        run_sweeps.delay()
        wait_until(lambda: heap.calls()["user_deletion"] == 1, what="the POST to reach Heap")
        worker.kill()
    assert DeletionBatch.objects.get().state == DeletionBatch.State.SENDING

    with celery_worker(tmp_path, env=env, purge=False):
        sweep_until_all_completed(1)

    outcomes = SubmissionAttempt.objects.order_by("number").values_list("outcome", flat=True)
    assert list(outcomes) == ["lost", "accepted"]
    assert len(heap.deletions()) == 2


@pytest.mark.postgres
def test_two_workers_and_two_sweeps_never_batch_or_send_a_subject_twice(
    tmp_path: Path, heap: HeapSandbox, accounts: list[str]
) -> None:
    import_csv(tmp_path, accounts[0], {f"R{n}": 10_000 for n in range(5)})

    with (
        celery_worker(tmp_path, env=PIPELINE_ENV),
        celery_worker(tmp_path, env=PIPELINE_ENV, purge=False),
    ):
        sweep_until_all_completed(5)

    sent = [user["identity"] for deletion in heap.deletions() for user in deletion["users"]]
    assert len(sent) == len(set(sent)) == 50_000
    assert Subject.objects.filter(batch__isnull=True).count() == 0
    assert sum(batch.size for batch in DeletionBatch.objects.all()) == 50_000
    for batch in DeletionBatch.objects.all():
        assert batch.members.count() == batch.size
    assert heap.calls()["user_deletion"] == DeletionBatch.objects.count() == 5
    assert SubmissionAttempt.objects.count() == 5
    assert (
        Subject.objects.with_heap_state().filter(heap_state=Subject.State.ERASED).count() == 50_000
    )
