"""A sweep asked for at once when an approval has queued a full batch's worth of subjects.

Packing takes 10,000 queued subjects as soon as they wait, so without a nudge a large approval
would sit until beat's next minute. Fewer subjects wait for BATCH_LINGER anyway: no nudge. A
nudge is a shortcut only: beat runs the same sweeps every minute and finds the same work, so a
nudge lost with the broker (logged, after commit) loses nothing.
"""

from django.db import transaction

from heapprivacy.celery import app
from heapprivacy.erasure.pipeline.policy import MAX_BATCH_SIZE

# By name: the tasks module imports the services that nudge.
SWEEPS_TASK = "heapprivacy.erasure.tasks.run_sweeps"


def sweeps_nudge(queued: int) -> None:
    """After the caller's transaction commits, run the sweeps now if `queued` fills a batch."""
    if queued >= MAX_BATCH_SIZE:
        transaction.on_commit(lambda: app.signature(SWEEPS_TASK).delay(), robust=True)
