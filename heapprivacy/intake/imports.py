"""CSV imports in the background: a confirmed upload becomes an ImportJob that a worker runs.

The row is the work, a Celery message only a nudge (DESIGN.md invariant 1):
- `import_job_create` (the officer confirms): the job row is written and the upload's file
  moved to VAR_DIR/imports in one transaction; the caller sends `run_import` on commit.
- `import_job_run` (a worker): claims the job with a conditional UPDATE queued → running, then
  imports staged (erasure/imports/staging.py), never holding a transaction for long: SQLite
  has one write lock, and the sweeps and the console need it meanwhile. The rows a chunk at a
  time, hidden; the job's report once they are all written (`audited_through` 0); their audit
  events BULK_CHUNK requests at a time (`audited_through` the last); and one last transaction
  that shows them all, records import.confirmed (counts only) and marks the job done. Every
  transaction of the run first renews the job's `alive_at`, on the condition that the job is
  still running this attempt, else the run stops (ClaimLost) and writes nothing more. The file
  is deleted once the job is done or failed, and only then.
- `import_jobs_sweep` (beat, every minute): a running job with no sign of life for CLAIM_GRACE
  belongs to a dead worker, and is queued again (failed after MAX_ATTEMPTS). The next run
  deletes the hidden rows a dead one left before writing, or, once they were all written,
  records the events still missing and completes: nothing is ever half visible, nor written
  twice. Every queued job is nudged.

Progress (rows read, imported, refused) goes to the cache after each chunk, at most every
PROGRESS_INTERVAL seconds: shared by web and workers, costing the database nothing; losing it
loses the bar, never work: the final counts are the job row's.
"""

import logging
import math
import os
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import asdict
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.imports.import_preview import PREVIEW_KEEP
from heapprivacy.erasure.imports.import_writer import Staging
from heapprivacy.erasure.imports.importer import ImportReport, InvalidFile, requests_import
from heapprivacy.erasure.imports.staging import (
    staged_requests_audit,
    staged_requests_discard,
    staged_requests_publish,
)
from heapprivacy.intake.models import ImportJob
from heapprivacy.intake.uploads import (
    UPLOAD_TTL,
    Upload,
    UploadNotFound,
    report_counts,
    report_from_data,
    upload_remove,
)
from heapprivacy.private_files import private_dir

logger = logging.getLogger(__name__)

Job = ImportJob.State
PENDING = (Job.QUEUED, Job.RUNNING)
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes; the page asks every second
PROGRESS_TTL = 24 * 3600
MAX_ATTEMPTS = 3  # runs of a job whose worker keeps dying (say, killed for its memory)
# Each transaction of a run renews its job's alive_at, a chunk of rows a second or so apart: a
# running job silent for longer than this was claimed by a worker that is gone.
CLAIM_GRACE = timedelta(minutes=1)


class ClaimLost(Exception):
    """The sweep gave this run's job to another run: this one must write nothing."""


def import_job_create(upload: Upload, *, user: AbstractBaseUser) -> ImportJob:
    """Turn `user`'s previewed upload into a queued import job that owns the file.

    A second confirmation (a double click, another tab) finds the token taken or the file gone
    and gets UploadNotFound, so a file is never imported twice.
    """
    if upload.preview is None:  # still being checked: there is nothing to confirm yet
        raise UploadNotFound(upload.token)
    preview = upload.preview
    path = job_csv_path(upload.token)
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                token=upload.token,
                created_by_id=user.pk,
                account_id=upload.account_id,
                name=upload.name,
                size=upload.size,
                rows=preview.subjects + preview.refused,
            )
            upload.csv_path.rename(path)
    except (IntegrityError, FileNotFoundError):  # the token's job exists; its file has moved
        raise UploadNotFound(upload.token) from None
    os.utime(path)  # the orphan sweep's grace counts from now, not from the upload
    upload_remove(upload.token)
    return job


def import_job_run(job_id: int) -> None:
    """Import job `job_id` unless it is not queued (another run has it, or it is finished)."""
    attempt = _claim(job_id)
    if attempt is None:
        return
    job = ImportJob.objects.select_related("account", "created_by").get(pk=job_id)
    try:
        _import(job, attempt)
    except ClaimLost:
        return
    except (OperationalError, InterfaceError):
        # The database went away: what was written is hidden, and the job's sign of life stops.
        # The sweep queues it again.
        raise
    except InvalidFile as error:
        _fail(job, attempt, f"{error}. Nothing was imported.")
    except Exception as error:
        _fail(job, attempt, f"The import stopped ({type(error).__name__}). Nothing was imported.")
        raise
    else:
        job_csv_path(job.token).unlink(missing_ok=True)


def import_jobs_sweep(run: Callable[[int], object]) -> list[int]:
    """Queue again what dead workers left, nudge every queued job, tidy up finished ones.

    Returns the ids of the jobs handed to `run`.
    """
    _recover_abandoned()
    queued = list(ImportJob.objects.filter(state=Job.QUEUED).values_list("pk", flat=True))
    for job_id in queued:
        run(job_id)
    # The per-line report may quote a cell of the file: kept as long as an upload, then only
    # the counts remain.
    ImportJob.objects.filter(
        finished_at__lt=timezone.now() - UPLOAD_TTL, report__isnull=False
    ).update(report=None)
    _remove_orphan_files()
    return queued


def import_job_get(token: str, user: AbstractBaseUser) -> ImportJob:
    """The import job of `user`'s upload `token`, or ImportJob.DoesNotExist."""
    return ImportJob.objects.select_related("account").get(token=token, created_by_id=user.pk)


def import_job_progress(job: ImportJob) -> dict[str, Any]:
    """What the progress bar shows: the job's state, rows read, imported and refused."""
    if job.finished:
        counts = {"read": job.subjects + job.refused, "imported": job.subjects}
        counts["refused"] = job.refused
    elif job.state == Job.RUNNING:
        counts = cache.get(progress_key(job.token, job.attempts)) or _nothing_yet()
    else:
        counts = _nothing_yet()
    return {"state": job.state, "rows": job.rows, **counts}


def import_job_report(job: ImportJob) -> ImportReport | None:
    """The finished import's report, while it is kept (a day)."""
    return report_from_data(job.report) if job.report is not None else None


def job_csv_path(token: str) -> Path:
    return private_dir("imports") / f"{token}.csv"


def progress_key(token: str, attempt: int) -> str:
    return f"intake:import-progress:{token}:{attempt}"


class ProgressWriter:
    """The importer's progress callback: the running counts into the cache, now and then."""

    def __init__(
        self,
        token: str,
        attempt: int,
        interval: float = PROGRESS_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.key = progress_key(token, attempt)
        self.interval, self.clock = interval, clock
        self.written_at = -math.inf

    def __call__(self, report: ImportReport) -> None:
        now = self.clock()
        if now - self.written_at < self.interval:
            return
        self.written_at = now
        counts = {
            "read": report.subjects + report.refused,
            "imported": report.subjects,
            "refused": report.refused,
        }
        try:
            cache.set(self.key, counts, PROGRESS_TTL)
        except Exception:  # a cache that is down costs the bar, not the import
            logger.warning("import progress not recorded: the cache failed", exc_info=True)


def _claim(job_id: int) -> int | None:
    """queued → running; the attempt number when this run got the job, else None."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, state=Job.QUEUED).update(
        state=Job.RUNNING, attempts=F("attempts") + 1, started_at=now, alive_at=now
    )
    if claimed != 1:
        return None
    # Ours now: only the sweep changes a running job, and not while it shows signs of life.
    return ImportJob.objects.values_list("attempts", flat=True).get(pk=job_id)


def _import(job: ImportJob, attempt: int) -> ImportReport:
    actor = Actor.for_user(job.created_by)
    alive = partial(_alive, job.pk, attempt)
    if job.audited_through is None:  # the rows are not all written: (re)start from the top
        report = _rows_write(job, attempt, actor, alive)
        after = 0
    elif job.report is not None:  # a run died recording the events: go on after the last
        report = report_from_data(job.report)
        after = job.audited_through
    else:  # the report is written with audited_through 0, in one UPDATE
        raise ValueError(f"import job {job.pk} has its rows written but no report")
    staged_requests_audit(
        job.token, actor=actor, after=after, checkpoint=lambda last: alive(audited_through=last)
    )
    with transaction.atomic():
        alive()
        staged_requests_publish(job.token)
        audit_record(
            "import.confirmed",
            actor=actor,
            target=job.account,
            details={"upload": job.token, **report_counts(report)},
        )
        ImportJob.objects.filter(pk=job.pk).update(state=Job.DONE, finished_at=timezone.now())
    return report


def _rows_write(
    job: ImportJob, attempt: int, actor: Actor, alive: Callable[..., None]
) -> ImportReport:
    """Every row of the file written, hidden, and the report kept on the job."""
    staged_requests_discard(job.token, checkpoint=alive)  # what a dead run left
    with job_csv_path(job.token).open("rb") as lines:
        # Never approved here: the officer who imports is the creator, and the creator of a
        # request may not approve it (four eyes). Another officer decides each request.
        report = requests_import(
            lines,
            account=job.account,
            actor=actor,
            keep=PREVIEW_KEEP,
            progress=ProgressWriter(job.token, attempt),
            staging=Staging(job.token, alive),
        )
    alive(
        audited_through=0,
        requests=report.requests,
        subjects=report.subjects,
        refused=report.refused,
        report=asdict(report),
    )
    return report


def _alive(job_id: int, attempt: int, **fields: Any) -> None:
    """Renew the run's sign of life (and set `fields`), or raise ClaimLost: the job is no
    longer running this attempt. Inside the caller's transaction, which then rolls back."""
    renewed = ImportJob.objects.filter(pk=job_id, state=Job.RUNNING, attempts=attempt).update(
        alive_at=timezone.now(), **fields
    )
    if renewed != 1:
        raise ClaimLost(job_id)


def _fail(job: ImportJob, attempt: int, error: str) -> None:
    failed = ImportJob.objects.filter(pk=job.pk, state=Job.RUNNING, attempts=attempt).update(
        state=Job.FAILED, finished_at=timezone.now(), error=error[:300]
    )
    if failed:
        _staged_remove(job)


def _recover_abandoned() -> None:
    """Running jobs with no sign of life for CLAIM_GRACE: their worker is gone.

    SKIP LOCKED passes over a row a live run is renewing at this moment (PostgreSQL); SQLite's
    one writer at a time does the same.
    """
    stale = timezone.now() - CLAIM_GRACE
    given_up = []
    with transaction.atomic():
        abandoned = ImportJob.objects.select_for_update(skip_locked=True).filter(
            state=Job.RUNNING, alive_at__lt=stale
        )
        for job in abandoned:
            if job.attempts < MAX_ATTEMPTS:
                job.state = Job.QUEUED
                job.save(update_fields=["state"])
                continue
            job.state, job.finished_at = Job.FAILED, timezone.now()
            job.error = (
                f"The import was interrupted {job.attempts} times (its worker stopped). "
                "Nothing was imported."
            )
            job.save(update_fields=["state", "finished_at", "error"])
            given_up.append(job)
    for job in given_up:
        _staged_remove(job)


def _staged_remove(job: ImportJob) -> None:
    """Once a job has failed: its file, and the hidden rows of a run that had not written them
    all (once they are, their events are in the trail, and they stay, hidden)."""
    job_csv_path(job.token).unlink(missing_ok=True)
    if ImportJob.objects.filter(pk=job.pk, audited_through__isnull=True).exists():
        staged_requests_discard(job.token, checkpoint=lambda: None)


def _remove_orphan_files() -> None:
    """A job's file outlives it only if its worker died between commit and deletion."""
    limit = (timezone.now() - CLAIM_GRACE).timestamp()
    for path in private_dir("imports").glob("*.csv"):
        pending = ImportJob.objects.filter(token=path.stem, state__in=PENDING).exists()
        with suppress(FileNotFoundError):  # deleted meanwhile by its own run
            if not pending and path.stat().st_mtime < limit:
                path.unlink()


def _nothing_yet() -> dict[str, int]:
    return {"read": 0, "imported": 0, "refused": 0}
