"""Two simultaneous creates with one Idempotency-Key: one request, the same answer twice."""

import threading

import pytest
from django.db import connection

from heapprivacy.erasure.models import ErasureRequest
from tests.api.conftest import ALL_SCOPES, Caller, client_with
from tests.erasure.factories import make_account

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BODY = {"subjects": [{"kind": "identity", "value": "alice@example.com"}], "heap_account": "acme"}


def test_concurrent_retries_with_one_key_create_one_request() -> None:
    make_account()
    _, token = client_with(*ALL_SCOPES)
    start = threading.Barrier(4)
    answers = []

    def call() -> None:
        start.wait()
        try:
            answers.append(
                Caller(token).post("/api/v1/requests", BODY, **{"Idempotency-Key": "k-1"})
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.status_code for answer in answers] == [201] * 4
    assert len({answer.content for answer in answers}) == 1
    assert ErasureRequest.objects.count() == 1
