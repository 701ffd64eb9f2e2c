"""Thin Celery tasks: ids in, one service call, nothing else. The sweeps guarantee progress."""

from heapprivacy.celery import app
from heapprivacy.erasure.polling import batch_poll
from heapprivacy.erasure.retention import retention_sweep
from heapprivacy.erasure.submission import batch_submit
from heapprivacy.erasure.sweeps import sweeps_run


@app.task
def submit_batch(batch_id: int) -> None:
    batch_submit(batch_id)


@app.task
def poll_batch(batch_id: int) -> None:
    batch_poll(batch_id)


@app.task
def run_sweeps() -> None:
    sweeps_run(submit=submit_batch.delay, poll=poll_batch.delay)


@app.task
def apply_retention() -> None:
    """Daily (beat): pseudonymise requests closed more than RETENTION_DAYS ago (retention.py)."""
    retention_sweep()
