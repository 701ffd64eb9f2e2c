"""The import job's lifecycle: queued → running → done or failed, and the sweep that finds
again what a dead worker left behind."""

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import OperationalError, connection
from django.utils import timezone

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.imports import importer
from heapprivacy.erasure.imports.importer import ImportReport
from heapprivacy.erasure.models import ErasureRequest, HeapAccount, Subject
from heapprivacy.intake import imports
from heapprivacy.intake.imports import (
    MAX_ATTEMPTS,
    ProgressWriter,
    import_job_progress,
    import_job_run,
    import_jobs_sweep,
    job_csv_path,
    progress_key,
)
from heapprivacy.intake.models import ImportJob
from heapprivacy.intake.tasks import run_import, sweep_imports
from tests.support.processes import tasks_in_process

pytestmark = pytest.mark.django_db

Job = ImportJob.State
ROWS = b"identity,external_ref\nalice@example.com,T-1\nbob@example.com,T-1\ncarol@example.com,\n"


@pytest.fixture(autouse=True)
def var_dir(settings: object, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def make_job(officer: User, account: HeapAccount) -> Callable[..., ImportJob]:
    """A job as a confirmation leaves it (its file in place), in any state."""

    def make(content: bytes = ROWS, **fields: object) -> ImportJob:
        token = f"{ImportJob.objects.count():032d}"
        job_csv_path(token).write_bytes(content)
        return ImportJob.objects.create(
            token=token,
            created_by=officer,
            account=account,
            name="requests.csv",
            size=len(content),
            rows=content.count(b"\n") - 1,
            **fields,
        )

    return make


def crashed(job: ImportJob, attempts: int = 1, minutes_ago: int = 2) -> ImportJob:
    """What a worker killed before it wrote anything leaves: the claim, its last sign of life."""
    started = timezone.now() - timedelta(minutes=minutes_ago)
    ImportJob.objects.filter(pk=job.pk).update(
        state=Job.RUNNING, attempts=attempts, started_at=started, alive_at=started
    )
    job.refresh_from_db()
    return job


# --- Running a job -----------------------------------------------------------------------------


def test_a_queued_job_is_imported_once_its_counts_kept_and_its_file_deleted(
    make_job: Callable[..., ImportJob], officer: User
) -> None:
    job = make_job()

    import_job_run(job.pk)

    job.refresh_from_db()
    assert (job.state, job.attempts) == (Job.DONE, 1)
    assert (job.requests, job.subjects, job.refused) == (2, 3, 0)
    assert job.started_at <= job.finished_at
    assert len(job.report["created"]) == 2
    assert Subject.objects.count() == 3
    assert set(ErasureRequest.objects.values_list("created_by", flat=True)) == {officer.pk}
    assert not job_csv_path(job.token).exists()
    event = AuditEvent.objects.get(action="import.confirmed")
    assert event.actor_id == str(officer.pk)
    assert event.details["upload"] == job.token


def test_a_duplicated_message_imports_nothing_more(make_job: Callable[..., ImportJob]) -> None:
    job = make_job()

    import_job_run(job.pk)
    import_job_run(job.pk)

    assert Subject.objects.count() == 3
    assert ImportJob.objects.get().attempts == 1


def test_a_job_another_worker_is_running_is_left_to_it(
    make_job: Callable[..., ImportJob],
) -> None:
    job = make_job(state=Job.RUNNING, attempts=1, started_at=timezone.now())

    import_job_run(job.pk)

    assert not Subject.objects.exists()
    assert ImportJob.objects.get().state == Job.RUNNING
    assert job_csv_path(job.token).exists()


def test_a_run_whose_job_the_sweep_gave_to_another_run_writes_nothing(
    make_job: Callable[..., ImportJob], monkeypatch: pytest.MonkeyPatch
) -> None:
    """It claimed attempt 1, was thought dead, and attempt 2 now owns the job and its file."""
    job = make_job(state=Job.RUNNING, attempts=2, started_at=timezone.now())
    monkeypatch.setattr(imports, "_claim", lambda job_id: 1)

    import_job_run(job.pk)

    assert not Subject.objects.exists()
    assert ImportJob.objects.get().state == Job.RUNNING
    assert job_csv_path(job.token).exists()


def test_a_file_that_cannot_be_read_fails_the_job_with_its_reason(
    make_job: Callable[..., ImportJob],
) -> None:
    job = make_job(b"identity\nok@example.com\nm\xfcller\n")

    import_job_run(job.pk)

    job.refresh_from_db()
    assert job.state == Job.FAILED
    assert job.error == (
        "line 3: not valid UTF-8 (byte 0xFC); save the file as CSV UTF-8. Nothing was imported."
    )
    assert not Subject.objects.exists()
    assert not job_csv_path(job.token).exists()
    assert not AuditEvent.objects.filter(action="import.confirmed").exists()


def test_a_database_that_goes_away_leaves_the_job_for_the_sweep_with_its_file(
    make_job: Callable[..., ImportJob], monkeypatch: pytest.MonkeyPatch
) -> None:
    def connection_lost(*args: object, **kwargs: object) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(imports, "requests_import", connection_lost)
    job = make_job()

    with pytest.raises(OperationalError):
        import_job_run(job.pk)

    assert ImportJob.objects.get().state == Job.RUNNING
    assert job_csv_path(job.token).exists()


def test_the_task_runs_the_job(make_job: Callable[..., ImportJob]) -> None:
    job = make_job()

    with tasks_in_process():
        run_import.delay(job.pk)

    assert ImportJob.objects.get().state == Job.DONE


# --- Progress ----------------------------------------------------------------------------------


def test_progress_is_written_at_most_once_per_interval_under_the_attempt() -> None:
    times = iter([100.0, 100.2, 100.6])
    write = ProgressWriter("T" * 32, attempt=2, interval=0.5, clock=lambda: next(times))
    report = ImportReport(refused=3)
    written = []

    for subjects in (500, 1000, 1500):
        report.subjects = subjects
        write(report)
        written.append(cache.get(progress_key("T" * 32, 2))["read"])

    assert written == [503, 503, 1503]  # 0.2 s after the first write, nothing new
    assert cache.get(progress_key("T" * 32, 2)) == {"read": 1503, "imported": 1500, "refused": 3}
    assert cache.get(progress_key("T" * 32, 1)) is None


def test_a_running_job_reports_the_counts_of_its_current_attempt(
    make_job: Callable[..., ImportJob],
) -> None:
    job = make_job(state=Job.RUNNING, attempts=2, started_at=timezone.now())
    cache.set(progress_key(job.token, 1), {"read": 3, "imported": 3, "refused": 0})
    assert import_job_progress(job) | {"state": None} == {
        "state": None,
        "rows": 3,
        "read": 0,
        "imported": 0,
        "refused": 0,
    }

    cache.set(progress_key(job.token, 2), {"read": 2, "imported": 1, "refused": 1})

    assert import_job_progress(job) == {
        "state": "running",
        "rows": 3,
        "read": 2,
        "imported": 1,
        "refused": 1,
    }


def test_the_import_writes_its_progress_after_each_chunk(
    make_job: Callable[..., ImportJob], monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[int] = []

    def every_chunk(token: str, attempt: int) -> Callable[[ImportReport], None]:
        write = ProgressWriter(token, attempt, interval=0)

        def progress(report: ImportReport) -> None:
            write(report)
            written.append(report.subjects)

        return progress

    monkeypatch.setattr(imports, "ProgressWriter", every_chunk)
    monkeypatch.setattr(importer, "ROW_CHUNK", 500)
    rows = b"identity,external_ref\n" + b"".join(b"u%d@example.com,T\n" % n for n in range(1200))
    job = make_job(rows)

    import_job_run(job.pk)

    assert written == [500, 1000, 1200]
    assert cache.get(progress_key(job.token, 1)) == {"read": 1200, "imported": 1200, "refused": 0}
    assert import_job_progress(ImportJob.objects.get())["read"] == 1200


# --- The sweep ---------------------------------------------------------------------------------


def test_a_crashed_job_is_queued_again_and_imported_once_by_the_next_run(
    make_job: Callable[..., ImportJob],
) -> None:
    job = crashed(make_job())
    nudged: list[int] = []

    assert import_jobs_sweep(run=nudged.append) == [job.pk]
    assert nudged == [job.pk]
    assert ImportJob.objects.get().state == Job.QUEUED
    assert job_csv_path(job.token).exists()  # kept until the job finishes

    import_job_run(job.pk)

    job.refresh_from_db()
    assert (job.state, job.attempts) == (Job.DONE, 2)
    assert Subject.objects.count() == 3
    assert AuditEvent.objects.filter(action="import.confirmed").count() == 1


def test_a_job_just_claimed_is_not_taken_for_a_crashed_one(
    make_job: Callable[..., ImportJob],
) -> None:
    job = crashed(make_job(), minutes_ago=0)

    assert import_jobs_sweep(run=lambda job_id: None) == []
    assert ImportJob.objects.get(pk=job.pk).state == Job.RUNNING


def test_a_job_whose_worker_keeps_dying_fails_after_the_last_attempt(
    make_job: Callable[..., ImportJob], django_capture_on_commit_callbacks
) -> None:
    job = crashed(make_job(), attempts=MAX_ATTEMPTS)

    with django_capture_on_commit_callbacks(execute=True):
        assert import_jobs_sweep(run=lambda job_id: None) == []

    job.refresh_from_db()
    assert job.state == Job.FAILED
    assert job.error.startswith(f"The import was interrupted {MAX_ATTEMPTS} times")
    assert not job_csv_path(job.token).exists()


def test_every_queued_job_is_nudged_and_finished_ones_are_left_alone(
    make_job: Callable[..., ImportJob],
) -> None:
    first, second = make_job(), make_job()
    done = make_job(state=Job.DONE, finished_at=timezone.now())
    nudged: list[int] = []

    with tasks_in_process():
        sweep_imports.delay()  # the beat entry: runs each queued job
    import_jobs_sweep(run=nudged.append)

    assert ImportJob.objects.filter(state=Job.DONE).count() == 3
    assert nudged == []
    assert ImportJob.objects.get(pk=done.pk).attempts == 0
    assert {first.pk, second.pk} == set(
        ImportJob.objects.filter(attempts=1).values_list("pk", flat=True)
    )


def test_the_per_line_report_is_removed_a_day_after_the_import(
    make_job: Callable[..., ImportJob],
) -> None:
    job = make_job()
    import_job_run(job.pk)

    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        import_jobs_sweep(run=lambda job_id: None)
    assert ImportJob.objects.get().report is not None

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        import_jobs_sweep(run=lambda job_id: None)
    job.refresh_from_db()
    assert job.report is None
    assert (job.requests, job.subjects, job.refused) == (2, 3, 0)


def test_a_file_left_behind_by_a_finished_job_is_deleted(
    make_job: Callable[..., ImportJob],
) -> None:
    """A worker killed between its commit and deleting the file leaves one behind."""
    finished = make_job(state=Job.DONE, finished_at=timezone.now())
    waiting = make_job()
    for path in (job_csv_path(finished.token), job_csv_path(waiting.token)):
        old = path.stat().st_mtime - 120
        os.utime(path, (old, old))

    import_jobs_sweep(run=lambda job_id: None)

    assert not job_csv_path(finished.token).exists()
    assert job_csv_path(waiting.token).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_run_is_renewing_its_sign_of_life_is_not_taken_for_a_crashed_one(
    make_job: Callable[..., ImportJob],
) -> None:
    """A run's transaction holds its job row's lock; the sweep skips the rows it cannot lock."""
    job = crashed(make_job(), minutes_ago=30)  # its last sign of life before this transaction
    live_import = connection.Database.connect(**connection.get_connection_params())
    try:
        with live_import.cursor() as cursor:  # psycopg opens a transaction: the lock stays
            cursor.execute("SELECT id FROM intake_importjob WHERE id = %s FOR UPDATE", [job.pk])
        assert import_jobs_sweep(run=lambda job_id: None) == []
        assert ImportJob.objects.get(pk=job.pk).state == Job.RUNNING
    finally:
        live_import.close()  # as when its worker dies: the lock goes with the connection

    assert import_jobs_sweep(run=lambda job_id: None) == [job.pk]
