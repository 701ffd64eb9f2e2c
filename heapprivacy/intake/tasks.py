"""Thin Celery tasks: ids in, one service call. The job rows, not the messages, are the work."""

from django.conf import settings

from heapprivacy.celery import app
from heapprivacy.intake.imports import import_job_run, import_jobs_sweep
from heapprivacy.intake.upload_checks import upload_check, uploads_unchecked_nudge


# A large file takes longer than the default task limits allow (README: IMPORT_TIME_LIMIT).
@app.task(soft_time_limit=settings.IMPORT_TIME_LIMIT, time_limit=settings.IMPORT_TIME_LIMIT + 60)
def run_import(job_id: int) -> None:
    import_job_run(job_id)


@app.task(soft_time_limit=settings.IMPORT_TIME_LIMIT, time_limit=settings.IMPORT_TIME_LIMIT + 60)
def check_upload(token: str) -> None:
    upload_check(token)


@app.task
def sweep_imports() -> None:
    import_jobs_sweep(run=run_import.delay)
    uploads_unchecked_nudge(run=check_upload.delay)
