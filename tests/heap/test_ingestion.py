"""The ingestion API: one payload shape per method, app_id as a string, the ingestion host."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from heapprivacy.heap import HeapValidationError

from .fakes import APP_ID, EU, US


@pytest.fixture
def eu_client(make_client):
    return make_client(ingestion_base_url=EU)


def sent(heap, url: str) -> dict:
    (call,) = heap.calls
    assert call.request.url == url
    assert "Authorization" not in call.request.headers
    assert call.request.headers["Content-Type"] == "application/json"
    return json.loads(call.request.body)


def test_track_sends_one_event_with_app_id_as_a_string(heap, eu_client):
    heap.post(f"{EU}/api/track", json={})

    eu_client.track(
        "Signed up",
        identity="alice@example.com",
        properties={"plan": "pro", "seats": 3},
        timestamp=datetime(2026, 1, 1, 10, tzinfo=UTC),
        idempotency_key="evt-1",
        session_id="s-1",
    )

    assert sent(heap, f"{EU}/api/track") == {
        "app_id": APP_ID,
        "event": "Signed up",
        "identity": "alice@example.com",
        "properties": {"plan": "pro", "seats": 3},
        "timestamp": "2026-01-01T10:00:00+00:00",
        "idempotency_key": "evt-1",
        "session_id": "s-1",
    }


def test_track_by_user_id_sends_it_as_a_digit_string_and_omits_absent_options(heap, client):
    heap.post(f"{US}/api/track", json={})

    client.track("Signed up", user_id=9_007_199_254_740_991)

    assert sent(heap, f"{US}/api/track") == {
        "app_id": APP_ID,
        "event": "Signed up",
        "user_id": "9007199254740991",
    }


@pytest.mark.parametrize(
    "subject",
    [{}, {"identity": "alice@example.com", "user_id": "1"}],
    ids=["neither", "both"],
)
def test_track_needs_exactly_one_of_identity_or_user_id(heap, client, subject):
    with pytest.raises(HeapValidationError, match="exactly one of identity or user_id"):
        client.track("Signed up", **subject)

    assert len(heap.calls) == 0


def test_track_bulk_sends_up_to_1000_events(heap, eu_client):
    heap.post(f"{EU}/api/track", json={})
    events = [
        {"event": "Viewed", "identity": f"user-{n}", "properties": {"n": n}} for n in range(1000)
    ]

    eu_client.track_bulk(events)

    body = sent(heap, f"{EU}/api/track")
    assert body["app_id"] == APP_ID
    assert body["events"] == events


def test_track_bulk_names_the_faulty_event(heap, client):
    events = [{"event": "Viewed", "identity": "a"}, {"event": "Viewed", "identity": "b" * 256}]

    with pytest.raises(HeapValidationError) as caught:
        client.track_bulk(events)

    assert caught.value.field == "events[1].identity"
    assert len(heap.calls) == 0


def test_track_bulk_refuses_1001_events(heap, client):
    with pytest.raises(HeapValidationError, match="events: must hold 1 to 1000 items"):
        client.track_bulk([{"event": "Viewed", "identity": "a"}] * 1001)


def test_track_bulk_refuses_unknown_event_fields(client):
    with pytest.raises(HeapValidationError, match="allowed fields are"):
        client.track_bulk([{"event": "Viewed", "identity": "a", "app_id": "999"}])


def test_identify_sends_user_id_as_a_digit_string_with_the_identity(heap, eu_client):
    heap.post(f"{EU}/api/v1/identify", json={})

    eu_client.identify(user_id=42, identity="alice@example.com", timestamp="2026-01-01T10:00:00Z")

    assert sent(heap, f"{EU}/api/v1/identify") == {
        "app_id": APP_ID,
        "user_id": "42",
        "identity": "alice@example.com",
        "timestamp": "2026-01-01T10:00:00Z",
    }


def test_identify_needs_both_user_id_and_identity(heap, client):
    with pytest.raises(HeapValidationError, match="identity: must be a string"):
        client.identify(user_id="42", identity=None)


def test_add_user_properties_sends_identity_and_properties(heap, eu_client):
    heap.post(f"{EU}/api/add_user_properties", json={})

    eu_client.add_user_properties(identity="alice@example.com", properties={"email": "a@b.c"})

    assert sent(heap, f"{EU}/api/add_user_properties") == {
        "app_id": APP_ID,
        "identity": "alice@example.com",
        "properties": {"email": "a@b.c"},
    }


def test_add_user_properties_bulk_sends_users(heap, client):
    heap.post(f"{US}/api/add_user_properties", json={})
    users = [{"identity": "alice@example.com", "properties": {"tags": ["a", "b"]}}]

    client.add_user_properties_bulk(users)

    assert sent(heap, f"{US}/api/add_user_properties") == {"app_id": APP_ID, "users": users}


def test_add_user_properties_refuses_a_property_named_id(heap, client):
    with pytest.raises(HeapValidationError, match="may not be named id"):
        client.add_user_properties(identity="alice@example.com", properties={"Id": 1})


def test_add_account_properties_accepts_the_plain_text_ok(heap, eu_client):
    heap.post(f"{EU}/api/add_account_properties", body="OK", content_type="text/plain")

    eu_client.add_account_properties(account_id="acme", properties={"tier": "gold"})

    assert sent(heap, f"{EU}/api/add_account_properties") == {
        "app_id": APP_ID,
        "account_id": "acme",
        "properties": {"tier": "gold"},
    }


def test_add_account_properties_bulk_sends_accounts(heap, client):
    heap.post(f"{US}/api/add_account_properties", body="OK", content_type="text/plain")
    accounts = [{"account_id": f"acct-{n}", "properties": {"n": n}} for n in range(3)]

    client.add_account_properties_bulk(accounts)

    assert sent(heap, f"{US}/api/add_account_properties") == {
        "app_id": APP_ID,
        "accounts": accounts,
    }


def test_add_account_properties_bulk_refuses_a_missing_account_id(heap, client):
    with pytest.raises(HeapValidationError) as caught:
        client.add_account_properties_bulk([{"properties": {"tier": "gold"}}])

    assert caught.value.field == "accounts[0].account_id"


@pytest.mark.parametrize(
    ("status", "body"), [(200, "<not json>"), (201, "{}"), (202, "queued"), (204, "")]
)
def test_any_2xx_is_success_and_the_body_is_not_read(heap, client, status, body):
    heap.post(f"{US}/api/track", status=status, body=body)

    assert client.track("Viewed", identity="a") is None


def test_an_app_id_beyond_32_bits_stays_a_json_string(heap, make_client):
    heap.post(f"{US}/api/track", json={})

    make_client(app_id=98_765_432_101_234).track("Viewed", identity="a")

    assert json.loads(heap.calls[0].request.body)["app_id"] == "98765432101234"


def test_a_refusal_names_the_missing_subject_of_a_single_track(client):
    with pytest.raises(HeapValidationError) as caught:
        client.track("Signed up")

    assert caught.value.field == "identity/user_id"
