"""Thin Celery tasks: ids in, one service call, nothing else. The sweeps guarantee progress."""

from heapprivacy.celery import app
from heapprivacy.erasure.models import SubmissionAttempt
from heapprivacy.erasure.pipeline.polling import batch_poll, batch_poll_delay
from heapprivacy.erasure.pipeline.submission import batch_submit
from heapprivacy.erasure.pipeline.sweeps import sweeps_run
from heapprivacy.erasure.records.retention import retention_sweep

# Polls due later than this are left to the sweep: a message held that long by a worker may be
# redelivered by Redis (visibility timeout), and it would wait for nothing.
POLL_NUDGE_HORIZON = 300


@app.task
def submit_batch(batch_id: int) -> None:
    if batch_submit(batch_id) == SubmissionAttempt.Outcome.ACCEPTED:
        poll_nudge(batch_id)


@app.task
def poll_batch(batch_id: int) -> None:
    if batch_poll(batch_id) != "not_claimed":  # a duplicate nudge ends its chain here
        poll_nudge(batch_id)


@app.task
def run_sweeps() -> None:
    if sweeps_run(submit=submit_batch.delay, poll=poll_batch.delay).more:
        run_sweeps.delay()  # the budget ran out with work left: go on now, not at the next tick


def poll_nudge(batch_id: int) -> None:
    """Ask for the batch's next poll when it falls due, if soon: the sweep polls it otherwise.

    A nudge only: a lost or duplicated one changes nothing (polls are claimed, invariant 1)."""
    delay = batch_poll_delay(batch_id)
    if delay is not None and delay <= POLL_NUDGE_HORIZON:
        poll_batch.apply_async((batch_id,), countdown=delay)


@app.task
def apply_retention() -> None:
    """Daily (beat): pseudonymise requests closed more than RETENTION_DAYS ago (retention.py)."""
    retention_sweep()
