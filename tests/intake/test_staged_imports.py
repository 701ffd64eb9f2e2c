"""A worker's import in short transactions: nothing of it visible until it completes, nothing of
it lost or written twice when its worker dies on the way (erasure/imports/staging.py)."""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import OperationalError
from django.utils import timezone

from heapprivacy.audit.chain import verify_chain
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.selectors import audit_events_iter
from heapprivacy.erasure.imports import import_writer, importer, staging
from heapprivacy.erasure.imports.importer import ImportReport
from heapprivacy.erasure.models import ErasureRequest, HeapAccount, Subject
from heapprivacy.intake import imports
from heapprivacy.intake.imports import import_job_run, import_jobs_sweep, job_csv_path
from heapprivacy.intake.models import ImportJob

pytestmark = pytest.mark.django_db

Job = ImportJob.State
ROWS = 12
CSV = b"identity\n" + b"".join(b"user-%d@example.com\n" % n for n in range(ROWS))


@pytest.fixture(autouse=True)
def small_chunks(settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(importer, "ROW_CHUNK", 5)
    monkeypatch.setattr(import_writer, "STAGED_ROWS", 2)
    monkeypatch.setattr(import_writer, "STAGED_PAUSE", 0)
    monkeypatch.setattr(staging, "BULK_CHUNK", 4)


@pytest.fixture
def job(officer: User, account: HeapAccount) -> ImportJob:
    token = "s" * 32
    job_csv_path(token).write_bytes(CSV)
    return ImportJob.objects.create(
        token=token, created_by=officer, account=account, name="a.csv", size=len(CSV), rows=ROWS
    )


def after_each_chunk(monkeypatch: pytest.MonkeyPatch, look: Callable[[ImportReport], None]) -> None:
    monkeypatch.setattr(imports, "ProgressWriter", lambda token, attempt: look)


def worker_dies(*args: object) -> None:
    raise OperationalError("server closed the connection unexpectedly")


def rerun_after_the_sweep(job: ImportJob) -> None:
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert import_jobs_sweep(run=lambda job_id: None) == [job.pk]
    import_job_run(job.pk)


def visible() -> tuple[int, int]:
    requests = ErasureRequest.objects.count()
    return requests, Subject.objects.filter(request__in=ErasureRequest.objects.all()).count()


def assert_imported_once() -> None:
    assert ImportJob.objects.get().state == Job.DONE
    assert visible() == (ROWS, ROWS)
    assert ErasureRequest.with_staged.count() == ROWS
    values = Subject.objects.values_list("value", flat=True)
    assert sorted(values) == sorted(f"user-{n}@example.com" for n in range(ROWS))
    created = AuditEvent.objects.filter(action="request.created")
    assert sorted(created.values_list("target_id", flat=True)) == sorted(
        str(pk) for pk in ErasureRequest.objects.values_list("pk", flat=True)
    )
    assert AuditEvent.objects.filter(action="import.confirmed").count() == 1
    assert verify_chain(audit_events_iter()) is None


def test_no_request_of_an_import_is_visible_before_it_completes(
    job: ImportJob, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, int, int]] = []
    after_each_chunk(
        monkeypatch,
        lambda report: seen.append((*visible(), ErasureRequest.with_staged.count())),
    )

    import_job_run(job.pk)

    assert seen == [(0, 0, 5), (0, 0, 10), (0, 0, 12)]  # written, committed, and unseen
    assert_imported_once()


def test_a_worker_dying_between_chunks_leaves_nothing_visible_and_the_retry_imports_once(
    job: ImportJob, monkeypatch: pytest.MonkeyPatch
) -> None:
    def die_after_the_first_chunk(report: ImportReport) -> None:
        if report.subjects == 5:
            worker_dies()

    after_each_chunk(monkeypatch, die_after_the_first_chunk)
    with pytest.raises(OperationalError):
        import_job_run(job.pk)

    assert visible() == (0, 0)
    assert ErasureRequest.with_staged.count() == 5  # committed, hidden
    assert not AuditEvent.objects.filter(action="request.created").exists()

    after_each_chunk(monkeypatch, lambda report: None)
    rerun_after_the_sweep(job)

    assert ImportJob.objects.get().attempts == 2
    assert_imported_once()


def test_a_worker_dying_while_recording_the_events_is_resumed_without_recording_one_twice(
    job: ImportJob, monkeypatch: pytest.MonkeyPatch
) -> None:
    audited = import_writer.requests_audited
    calls = iter([audited, worker_dies])
    monkeypatch.setattr(staging, "requests_audited", lambda *args: next(calls)(*args))
    with pytest.raises(OperationalError):
        import_job_run(job.pk)

    assert visible() == (0, 0)
    assert AuditEvent.objects.filter(action="request.created").count() == 4
    assert (
        ImportJob.objects.get().audited_through
        == ErasureRequest.with_staged.order_by("pk").values_list("pk", flat=True)[3]
    )

    monkeypatch.setattr(staging, "requests_audited", audited)
    rerun_after_the_sweep(job)

    assert_imported_once()


def test_a_file_found_unreadable_after_some_chunks_leaves_no_row_behind(
    job: ImportJob,
) -> None:
    job_csv_path(job.token).write_bytes(CSV + b"m\xfcller\n")

    import_job_run(job.pk)

    assert ImportJob.objects.get().state == Job.FAILED
    assert not ErasureRequest.with_staged.exists()
    assert not Subject.objects.exists()


def test_a_run_that_lost_its_job_to_another_stops_before_writing_its_next_chunk(
    job: ImportJob, monkeypatch: pytest.MonkeyPatch
) -> None:
    def the_sweep_gives_the_job_away(report: ImportReport) -> None:
        ImportJob.objects.filter(pk=job.pk).update(state=Job.QUEUED)

    after_each_chunk(monkeypatch, the_sweep_gives_the_job_away)

    import_job_run(job.pk)

    assert ErasureRequest.with_staged.count() == 5  # the first chunk; the next run discards it
    assert ImportJob.objects.get().state == Job.QUEUED
