"""The public form submitted twice at once from the same address: one request, never two.

Both submissions read "no open request" before either writes, unless the service serialises
them per address: the test holds each submission right after that read, so that without the
lock both go on to create one (PostgreSQL; SQLite's IMMEDIATE transactions serialise anyway).
"""

import contextlib
import threading

import pytest
from django.db import connection

from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.intake import services
from tests.erasure.factories import make_account
from tests.support.processes import tasks_in_process

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ALICE = "alice@example.com"


def test_two_submissions_at_once_make_one_request(monkeypatch, settings) -> None:
    settings.INTAKE_HEAP_ACCOUNT = ""
    make_account("acme")
    both_read = threading.Barrier(2, timeout=2)
    read = services._open_request

    def read_then_wait(email: str) -> ErasureRequest | None:
        found = read(email)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()  # with the lock the other waits for this commit: no meeting here
        return found

    monkeypatch.setattr(services, "_open_request", read_then_wait)
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            with tasks_in_process():
                services.intake_submit(email=ALICE, jurisdiction="GDPR-EU")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert ErasureRequest.objects.filter(requester_email=ALICE).count() == 1
