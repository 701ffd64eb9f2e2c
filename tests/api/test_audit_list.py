"""GET /api/v1/audit: the trail in chain order, each event as hashed, so it can be verified."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.chain import GENESIS_HASH, verify_chain
from heapprivacy.audit.services import audit_record
from tests.api.conftest import Caller, fields
from tests.api.test_requests_list import LIST_QUERIES
from tests.erasure.factories import make_request

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit"
SYSTEM = Actor.system("tests")


def read_all(api: Caller, params: dict | None = None) -> list[dict]:
    events, page = [], api.get(URL, {"page_size": 3, **(params or {})}).json()
    while True:
        events += page["results"]
        if not page["next"]:
            return events
        page = api.get(page["next"]).json()


def test_the_events_read_through_the_api_verify_as_a_chain(api: Caller, account: object) -> None:
    make_request(account)
    make_request(account)

    events = read_all(api)

    assert [event["seq"] for event in events] == list(range(1, len(events) + 1))
    assert verify_chain(events, GENESIS_HASH) is None


def test_it_filters_by_request_action_and_first_seq(api: Caller, account: object) -> None:
    first = make_request(account)
    make_request(account)

    by_request = read_all(api, {"request_ref": first.reference})
    by_action = read_all(api, {"action": "request.created"})
    from_seq = read_all(api, {"from_seq": 3})

    assert {event["request_ref"] for event in by_request} == {first.reference}
    assert len(by_action) == 2
    assert from_seq[0]["seq"] == 3


def test_a_bad_from_seq_is_a_400(api: Caller) -> None:
    assert "from_seq" in fields(api.get(URL, {"from_seq": "0"}))


def test_it_takes_the_same_number_of_queries_for_3_and_300_events(api: Caller) -> None:
    api.get(URL)  # the client is now seen: last_used_at is not written again within the minute
    # with the client's creation and that first call: 3 events
    audit_record("test.filled", actor=SYSTEM, details={"n": 0})
    with CaptureQueriesContext(connection) as few:
        assert len(api.get(URL).json()["results"]) == 3
    for n in range(297):
        audit_record("test.filled", actor=SYSTEM, details={"n": n})
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(URL, {"page_size": 200}).json()["results"]) == 200

    assert len(many) == len(few) == LIST_QUERIES[connection.vendor]
