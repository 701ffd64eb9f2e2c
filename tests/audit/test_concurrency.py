"""Concurrent writers on separate connections: the chain neither forks nor leaves gaps."""

import threading

import pytest
from django.db import connection

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.chain import verify_chain
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.selectors import audit_events_iter
from heapprivacy.audit.services import audit_record

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
EVENTS_PER_THREAD = 25


def test_concurrent_appends_make_one_gapless_intact_chain() -> None:
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def append_events(worker: int) -> None:
        try:
            start.wait()
            for n in range(EVENTS_PER_THREAD):
                audit_record(
                    "batch.released", actor=Actor.system(f"worker-{worker}"), details={"n": n}
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append_events, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = list(AuditEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, THREADS * EVENTS_PER_THREAD + 1))
    assert verify_chain(audit_events_iter()) is None
