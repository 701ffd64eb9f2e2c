"""Thin Celery tasks: ids in, one service call, nothing else. The sweeps guarantee progress."""

from heapprivacy.celery import app
from heapprivacy.erasure.polling import batch_poll
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
