"""A long import written in short transactions, and shown whole when it completes.

SQLite has one write lock: an import of 100,000 rows in one transaction held it for half a
minute, and every sweep, heartbeat and console action meanwhile failed with "database is
locked". So the worker's import (intake/imports.py) writes under a staging key:
- its requests and subjects, a chunk at a time (importer.requests_import with a Staging), the
  requests carrying the key, which `ErasureRequest.objects` never returns: no list, count,
  lookup or action sees them, and their subjects are pending, which packing never takes;
- then their audit events, BULK_CHUNK requests per transaction (`staged_requests_audit`),
  resumable after the last request recorded, so no event is written twice;
- then, in the caller's final transaction, `staged_requests_publish`: one UPDATE makes them all
  visible at once.
A run that dies before its events are recorded leaves rows nobody sees: the next run, or the
failure, removes them (`staged_requests_discard`) before anything else.
"""

from collections.abc import Callable
from functools import partial

from heapprivacy.audit.actors import Actor
from heapprivacy.erasure.imports.import_writer import (
    BULK_CHUNK,
    requests_audited,
    staged_transaction,
)
from heapprivacy.erasure.models import ErasureRequest, Subject

DISCARD_CHUNK = 900  # rows per DELETE: under the 999 bound parameters of SQLite's oldest


def staged_requests_audit(
    key: str, *, actor: Actor, after: int, checkpoint: Callable[[int], None]
) -> None:
    """Record the events of the requests staged under `key` with an id above `after`, in id
    order, BULK_CHUNK per transaction; `checkpoint` is handed the last id recorded in each."""
    staged = ErasureRequest.with_staged.filter(staged_import=key)
    while ids := list(
        staged.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:BULK_CHUNK]
    ):
        with staged_transaction(partial(checkpoint, ids[-1])):
            requests_audited(staged.filter(pk__in=ids), actor)
        after = ids[-1]


def staged_requests_publish(key: str) -> int:
    """Show every request staged under `key`: one UPDATE, inside the caller's transaction."""
    _key_check(key)
    return ErasureRequest.with_staged.filter(staged_import=key).update(staged_import="")


def staged_requests_discard(key: str, *, checkpoint: Callable[[], None]) -> None:
    """Delete what an unfinished import left under `key`, DISCARD_CHUNK rows per transaction."""
    _key_check(key)
    subjects = Subject.objects.filter(request__staged_import=key)
    while ids := list(subjects.values_list("pk", flat=True)[:DISCARD_CHUNK]):
        with staged_transaction(checkpoint):
            Subject.objects.filter(pk__in=ids).delete()
    requests = ErasureRequest.with_staged.filter(staged_import=key)
    while ids := list(requests.values_list("pk", flat=True)[:DISCARD_CHUNK]):
        with staged_transaction(checkpoint):
            ErasureRequest.with_staged.filter(pk__in=ids).delete()


def _key_check(key: str) -> None:
    if not key:  # "" is every visible request's
        raise ValueError("a staging key is never empty")
