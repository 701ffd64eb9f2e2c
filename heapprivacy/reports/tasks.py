"""Thin Celery tasks: a pack job's token in, one service call. The stored job is the work."""

from django.conf import settings

from heapprivacy.celery import app
from heapprivacy.reports.pack_jobs import pack_job_build, pack_jobs_sweep


@app.task(soft_time_limit=settings.IMPORT_TIME_LIMIT, time_limit=settings.IMPORT_TIME_LIMIT + 60)
def build_pack(token: str) -> None:
    pack_job_build(token)


@app.task
def sweep_packs() -> None:
    pack_jobs_sweep(run=build_pack.delay)
