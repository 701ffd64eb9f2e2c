"""POST /api/track: one event or a bulk of up to 1000, validated as Heap documents."""

from typing import Any

import pytest

from .conftest import APP_ID, Heap


def test_it_stores_a_single_event_and_answers_an_empty_object(heap: Heap) -> None:
    event = {
        "event": "Signed up",
        "identity": "alice@example.com",
        "session_id": "s-1",
        "timestamp": "2026-01-01T10:00:00Z",
        "properties": {"plan": "pro", "seats": 3},
        "idempotency_key": "k-1",
    }

    response = heap.track(**event)

    assert response.status_code == 200
    assert response.json() == {}
    assert heap.data()["events"] == [event]


def test_it_accepts_a_user_id_instead_of_an_identity(heap: Heap) -> None:
    assert heap.track(event="Clicked", user_id="12").status_code == 200
    assert heap.data()["events"] == [{"event": "Clicked", "user_id": 12}]


def test_it_stores_a_bulk_of_events(heap: Heap) -> None:
    events = [{"event": "Viewed", "identity": f"user{n}"} for n in range(3)]

    response = heap.post("/api/track", json={"app_id": APP_ID, "events": events})

    assert response.status_code == 200
    assert heap.data()["events"] == events
    assert heap.calls()[-1]["events"] == 3


def test_it_accepts_1000_events_in_bulk_and_refuses_1001(heap: Heap) -> None:
    events = [{"event": "Viewed", "identity": f"user{n}"} for n in range(1001)]

    refused = heap.post("/api/track", json={"app_id": APP_ID, "events": events})
    accepted = heap.post("/api/track", json={"app_id": APP_ID, "events": events[:1000]})

    assert refused.status_code == 400
    assert refused.text == "postBody.events should have at most 1000 items"
    assert accepted.status_code == 200


def test_it_names_the_bad_event_of_a_bulk_like_heap_does(heap: Heap) -> None:
    events = [
        {"event": "Viewed", "identity": "a", "properties": {}},
        {"event": "Viewed", "identity": "b", "properties": "x"},
    ]

    response = heap.post("/api/track", json={"app_id": APP_ID, "events": events})

    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "postBody.events[1].properties should be object"
    assert heap.data()["events"] == []


def test_it_accepts_an_unknown_app_id_silently(heap: Heap) -> None:
    response = heap.post("/api/track", json={"app_id": "1", "event": "x", "identity": "a"})

    assert response.status_code == 200


def test_it_keeps_limits_at_their_boundaries(heap: Heap) -> None:
    properties = {"k" * 1024: "v" * 1024, "n": 1.5}

    response = heap.track(event="e" * 1024, identity="i" * 255, properties=properties)

    assert response.status_code == 200


def test_it_joins_an_array_value_with_bars_and_cuts_it_at_1024(heap: Heap) -> None:
    heap.track(
        event="x", identity="a", properties={"tags": ["red", 2, "blue"], "long": ["v"] * 600}
    )

    stored = heap.data()["events"][0]["properties"]
    assert stored["tags"] == "red||2||blue"
    assert len(stored["long"]) == 1024


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"identity": "a"}, "postBody.event should be a non-empty string"),
        ({"event": "e" * 1025, "identity": "a"}, "postBody.event should be at most 1024"),
        ({"event": "x"}, "postBody should have exactly one of identity or user_id"),
        ({"event": "x", "identity": "a", "user_id": "1"}, "postBody should have exactly one of"),
        ({"event": "x", "identity": "i" * 256}, "postBody.identity should be at most 255"),
        ({"event": "x", "user_id": "-1"}, "postBody.user_id should be a whole number"),
        ({"event": "x", "user_id": 2**53}, "postBody.user_id should be between"),
        ({"event": "x", "identity": "a", "timestamp": "yesterday"}, "postBody.timestamp should"),
        ({"event": "x", "identity": "a", "timestamp": 1767225600}, "postBody.timestamp should"),
        ({"event": "x", "identity": "a", "session_id": []}, "postBody.session_id should"),
        ({"event": "x", "identity": "a", "idempotency_key": 5}, "postBody.idempotency_key should"),
    ],
)
def test_it_refuses_an_invalid_event_with_400_text(
    heap: Heap, fields: dict[str, Any], message: str
) -> None:
    response = heap.track(**fields)

    assert response.status_code == 400
    assert response.text.startswith(message)


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ({"address": {"city": "Paris"}}, "postBody.properties.address should not be a nested"),
        ({"id": 1}, "postBody.properties.id is a reserved property name"),
        ({"Id": 1}, "postBody.properties.Id is a reserved property name"),
        ({"k" * 1025: 1}, "postBody.properties should have keys of 1 to 1024"),
        ({"": 1}, "postBody.properties should have keys of 1 to 1024"),
        ({"note": "v" * 1025}, "postBody.properties.note should be at most 1024"),
        ({"paid": True}, "postBody.properties.paid should be a string, a number"),
        ({"gone": None}, "postBody.properties.gone should be a string, a number"),
        ({"tags": [["a"]]}, "postBody.properties.tags should hold only strings and numbers"),
        ("plan=pro", "postBody.properties should be object"),
    ],
)
def test_it_refuses_invalid_properties_with_400_text(
    heap: Heap, properties: Any, message: str
) -> None:
    response = heap.track(event="x", identity="a", properties=properties)

    assert response.status_code == 400
    assert response.text.startswith(message)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"event": "x", "identity": "a"}', b'{"app_id": "", "event": "x"}'],
    ids=["not-json", "not-object", "no-app-id", "empty-app-id"],
)
def test_it_refuses_a_body_without_a_json_object_and_app_id(heap: Heap, body: bytes) -> None:
    response = heap.post("/api/track", data=body)

    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")


def test_a_repeat_with_the_same_idempotency_key_changes_nothing(heap: Heap) -> None:
    heap.track(event="Paid", identity="a", idempotency_key="order-1")

    response = heap.track(event="Paid again", identity="a", idempotency_key="order-1")

    assert response.status_code == 200
    assert [e["event"] for e in heap.data()["events"]] == ["Paid"]


def test_idempotency_keys_apply_inside_a_bulk_and_per_app_id(heap: Heap) -> None:
    events = [
        {"event": "Paid", "identity": "a", "idempotency_key": "k"},
        {"event": "Paid", "identity": "a", "idempotency_key": "k"},
    ]

    heap.post("/api/track", json={"app_id": APP_ID, "events": events})
    heap.post("/api/track", json={"app_id": "9", "events": events})

    assert len(heap.data()["events"]) == 1
    assert len(heap.data("9")["events"]) == 1


def test_an_app_id_sent_as_a_number_is_kept_as_a_string(heap: Heap) -> None:
    heap.post("/api/track", json={"app_id": 12345678901234, "event": "x", "identity": "a"})

    assert len(heap.data("12345678901234")["events"]) == 1
