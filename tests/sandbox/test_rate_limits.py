"""Heap's documented ingestion rate limits, on the sandbox clock."""

from heapprivacy.sandbox.ratelimit import Charge, Limit, RateLimiter

from .conftest import APP_ID, Heap


def _bulk(heap: Heap, identities: list[str]) -> int:
    events = [{"event": "Viewed", "identity": identity} for identity in identities]
    return heap.post("/api/track", json={"app_id": APP_ID, "events": events}).status_code


def test_track_allows_30_requests_per_30_seconds_per_identity(heap: Heap) -> None:
    statuses = [heap.track(event="x", identity="alice").status_code for _ in range(30)]

    refused = heap.track(event="x", identity="alice")

    assert statuses == [200] * 30
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert heap.track(event="x", identity="bob").status_code == 200
    assert len(heap.data()["events"]) == 31


def test_a_refused_call_stores_nothing_and_the_window_slides(heap: Heap) -> None:
    for _ in range(30):
        heap.track(event="x", identity="alice")
    heap.advance(10)
    heap.track(event="x", identity="alice")

    heap.advance(20)

    assert heap.track(event="x", identity="alice").status_code == 200
    assert len(heap.data()["events"]) == 31


def test_add_user_properties_allows_30_requests_per_30_seconds_per_identity(heap: Heap) -> None:
    body = {"app_id": APP_ID, "identity": "alice", "properties": {"n": 1}}
    for _ in range(30):
        heap.post("/api/add_user_properties", json=body)

    refused = heap.post("/api/add_user_properties", json=body)

    assert refused.status_code == 429
    assert refused.text == "Too Many Requests"


def test_bulk_track_allows_1000_events_per_minute_per_identity(heap: Heap) -> None:
    assert _bulk(heap, ["alice"] * 1000) == 200
    assert _bulk(heap, ["alice"]) == 429
    assert _bulk(heap, ["bob"]) == 200
    heap.advance(60)
    assert _bulk(heap, ["alice"]) == 200


def test_bulk_track_allows_15000_events_per_minute_per_app_id(heap: Heap) -> None:
    statuses = [_bulk(heap, [f"u{call}-{n}" for n in range(1000)]) for call in range(15)]

    assert statuses == [200] * 15
    assert _bulk(heap, ["one-more"]) == 429


def test_rate_limits_can_be_switched_off(heap: Heap) -> None:
    heap.configure(rate_limits=False)

    statuses = {heap.track(event="x", identity="alice").status_code for _ in range(40)}

    assert statuses == {200}


def test_a_charge_larger_than_its_limit_waits_a_whole_window() -> None:
    limiter = RateLimiter()

    assert limiter.retry_after([Charge("k", Limit(2, 10.0), cost=3)], now=0.0) == 10
