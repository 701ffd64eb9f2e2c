"""GET /api/v1/requests/<reference>: the request, its subjects counted by state, its batches."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import DeletionBatch
from tests.api.conftest import Caller, problem
from tests.console.factories import make_batch
from tests.erasure.factories import make_request

pytestmark = pytest.mark.django_db


def url(reference: str) -> str:
    return f"/api/v1/requests/{reference}"


def test_it_counts_the_subjects_by_state(api: Caller, account: object) -> None:
    created = make_request(account, ["a", "b", "c"])

    answer = api.get(url(created.reference)).json()

    assert answer["reference"] == created.reference
    assert answer["subjects_count"] == 3
    assert answer["subject_counts"]["pending"] == 3
    assert set(answer["subject_counts"]) == {
        "pending",
        "queued",
        "batched",
        "submitted",
        "erased",
        "rejected",
        "failed",
    }
    assert answer["batches"] == []


def test_it_lists_the_batches_with_their_heap_ids(api: Caller, account: object) -> None:
    batch = make_batch(
        account, ["a"], state=DeletionBatch.State.SUBMITTED, deletion_request_id="del-42"
    )
    reference = batch.members.get().request.reference

    answer = api.get(url(reference)).json()

    assert answer["batches"] == [
        {
            "id": batch.pk,
            "heap_account": "acme",
            "state": "submitted",
            "deletion_request_id": "del-42",
        }
    ]
    assert answer["subject_counts"]["batched"] == 1


def test_it_never_shows_subject_values_or_the_requester_email(api: Caller, account: object) -> None:
    created = make_request(account, ["alice@example.com"], requester_email="alice@example.com")

    response = api.get(url(created.reference))

    assert b"alice@example.com" not in response.content


def test_the_call_is_audited_with_the_request_reference(api: Caller, account: object) -> None:
    created = make_request(account)

    api.get(url(created.reference))

    assert AuditEvent.objects.get(action="api.call").request_ref == created.reference


def test_an_unknown_reference_is_a_404_problem(api: Caller) -> None:
    response = api.get(url("DSR-2026-999999"))

    assert response.status_code == 404
    assert problem(response)["type"].endswith("#problem-not-found")


def test_a_reference_of_other_characters_never_reaches_the_database(api: Caller) -> None:
    response = api.get("/api/v1/requests/%00%27;--")

    assert response.status_code == 404
    problem(response)


def test_it_takes_a_fixed_number_of_queries(api: Caller, account: object) -> None:
    small = make_batch(account, ["a"])
    large = make_batch(account, [f"user-{n}" for n in range(300)])

    # The client is now seen: last_used_at is not written again within the minute.
    api.get(url(small.members.first().request.reference))
    counts = []
    for batch in (small, large):
        reference = batch.members.first().request.reference
        with CaptureQueriesContext(connection) as queries:
            api.get(url(reference))
        counts.append(len(queries))

    assert counts[0] == counts[1]
