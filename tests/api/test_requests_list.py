"""GET /api/v1/requests: newest received first, cursor pages, filters, a fixed query count."""

import base64
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from heapprivacy.erasure.models import ErasureRequest
from tests.api.conftest import Caller, fields, problem
from tests.erasure.factories import make_request

pytestmark = pytest.mark.django_db

URL = "/api/v1/requests"


def references(response: object) -> list[str]:
    return [row["reference"] for row in response.json()["results"]]


def received(days_ago: int) -> dict:
    return {"received_at": timezone.now() - timedelta(days=days_ago)}


def bulk_requests(count: int, start: int = 0) -> None:
    now = timezone.now()
    ErasureRequest.objects.bulk_create(
        ErasureRequest(
            reference=f"DSR-2000-{n:06d}",
            source=ErasureRequest.Source.CSV,
            jurisdiction="GDPR-EU",
            received_at=now - timedelta(minutes=n),
        )
        for n in range(start, start + count)
    )


def test_it_lists_newest_received_first_with_subject_counts(api: Caller, account: object) -> None:
    old = make_request(account, ["a", "b"], **received(5))
    new = make_request(account, ["c"], **received(1))

    response = api.get(URL)

    assert references(response) == [new.reference, old.reference]
    assert [row["subjects_count"] for row in response.json()["results"]] == [1, 2]


def test_it_pages_with_a_cursor(api: Caller) -> None:
    bulk_requests(5)

    first = api.get(URL, {"page_size": 2}).json()
    second = api.get(first["next"]).json()

    assert [row["reference"] for row in first["results"]] == ["DSR-2000-000000", "DSR-2000-000001"]
    assert [row["reference"] for row in second["results"]] == ["DSR-2000-000002", "DSR-2000-000003"]
    assert api.get(second["previous"]).json()["results"] == first["results"]


def test_rows_received_at_the_same_instant_are_neither_lost_nor_repeated(api: Caller) -> None:
    now = timezone.now()
    ErasureRequest.objects.bulk_create(
        ErasureRequest(
            reference=f"DSR-2000-{n:06d}", source="csv", jurisdiction="CCPA", received_at=now
        )
        for n in range(5)
    )
    seen, page = [], api.get(URL, {"page_size": 2}).json()
    while True:
        seen += [row["reference"] for row in page["results"]]
        if not page["next"]:
            break
        page = api.get(page["next"]).json()

    assert sorted(seen) == [f"DSR-2000-{n:06d}" for n in range(5)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"state": "approved"}, ["approved"]),
        ({"jurisdiction": "CCPA"}, ["ccpa"]),
        ({"external_ref": "crm-1"}, ["crm"]),
        ({"received_after": "2026-01-10T00:00:00Z"}, ["approved", "ccpa"]),
        ({"received_before": "2026-01-10T00:00:00Z"}, ["crm"]),
    ],
)
def test_it_filters(
    api: Caller, account: object, filters: dict, expected: list[str], time_machine: object
) -> None:
    time_machine.move_to("2026-02-01T00:00:00Z")
    rows = {
        "crm": make_request(account, external_ref="crm-1", received_at=_at("2026-01-05")),
        "ccpa": make_request(account, jurisdiction="CCPA", received_at=_at("2026-01-15")),
        "approved": make_request(account, received_at=_at("2026-01-20")),
    }
    api.post(
        f"/api/v1/requests/{rows['approved'].reference}/approve",
        {"verification_override": "verified by the CRM"},
    )

    response = api.get(URL, filters)

    assert references(response) == [rows[name].reference for name in expected]


def _at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00+00:00")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "lost"}, "state"),
        ({"jurisdiction": "MARS"}, "jurisdiction"),
        ({"received_after": "yesterday"}, "received_after"),
        ({"external_ref": "a\x00b"}, "external_ref"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(api: Caller, params: dict, field: str) -> None:
    response = api.get(URL, params)

    assert response.status_code == 400
    assert field in fields(response)


def cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize(
    "forged",
    [
        "not base64!",
        cursor("p=not-a-date"),
        cursor("p=0001-01-01T00:00:00+01:00"),  # before year 1 once in UTC
        cursor("r=x"),
    ],
)
def test_a_forged_cursor_is_a_404_not_a_crash(api: Caller, forged: str) -> None:
    response = api.get(URL, {"cursor": forged})

    assert response.status_code == 404
    assert problem(response)["detail"] == "Invalid cursor"


def test_it_takes_the_same_number_of_queries_for_3_and_300_requests(api: Caller) -> None:
    api.get(URL)  # the client is now seen: last_used_at is not written again within the minute
    bulk_requests(3)
    with CaptureQueriesContext(connection) as few:
        assert api.get(URL).status_code == 200
    bulk_requests(297, start=3)
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(URL, {"page_size": 200}).json()["results"]) == 200

    assert len(many) == len(few) == LIST_QUERIES[connection.vendor]


# auth lookup, the page, then the audit append (head + insert; PostgreSQL also takes the append
# lock), for a client seen within the minute (no last-used update)
LIST_QUERIES = {"sqlite": 4, "postgresql": 5}
