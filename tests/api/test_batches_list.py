"""GET /api/v1/batches: deletion batches newest first, with Heap's id and the attempts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from heapprivacy.erasure.models import DeletionBatch
from tests.api.conftest import Caller, fields
from tests.api.test_requests_list import LIST_QUERIES
from tests.console.factories import bulk_batches, make_batch
from tests.erasure.factories import make_account

pytestmark = pytest.mark.django_db

URL = "/api/v1/batches"


def test_it_lists_batches_newest_first_with_their_evidence(api: Caller, account: object) -> None:
    old = make_batch(account, ["a"])
    new = make_batch(
        account,
        ["b", "c"],
        state=DeletionBatch.State.SUBMITTED,
        deletion_request_id="del-42",
        attempts=2,
    )

    rows = api.get(URL).json()["results"]

    assert [row["id"] for row in rows] == [new.pk, old.pk]
    assert rows[0] == {
        "id": new.pk,
        "heap_account": "acme",
        "size": 2,
        "state": "submitted",
        "deletion_request_id": "del-42",
        "attempts": 2,
        "created_at": rows[0]["created_at"],
        "submitted_at": None,
        "completed_at": None,
    }
    assert rows[1]["deletion_request_id"] is None


def test_it_filters_by_state_and_account(api: Caller, account: object) -> None:
    ready = make_batch(account, ["a"])
    make_batch(account, ["b"], state=DeletionBatch.State.COMPLETE)
    other = make_batch(make_account("other"), ["c"])

    by_state = api.get(URL, {"state": "ready"}).json()["results"]
    by_account = api.get(URL, {"heap_account": "other"}).json()["results"]

    assert {row["id"] for row in by_state} == {ready.pk, other.pk}
    assert [row["id"] for row in by_account] == [other.pk]


def test_an_unknown_state_is_a_400(api: Caller) -> None:
    assert "state" in fields(api.get(URL, {"state": "lost"}))


def test_it_pages_with_a_cursor(api: Caller, account: object) -> None:
    bulk_batches(account, 5)

    first = api.get(URL, {"page_size": 3}).json()
    second = api.get(first["next"]).json()

    assert len(first["results"]) == 3
    assert len(second["results"]) == 2
    assert second["next"] is None


def test_it_takes_the_same_number_of_queries_for_3_and_300_batches(
    api: Caller, account: object
) -> None:
    api.get(URL)  # the client is now seen: last_used_at is not written again within the minute
    bulk_batches(account, 3)
    with CaptureQueriesContext(connection) as few:
        api.get(URL)
    bulk_batches(account, 297)
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(URL, {"page_size": 200}).json()["results"]) == 200

    assert len(many) == len(few) == LIST_QUERIES[connection.vendor]
