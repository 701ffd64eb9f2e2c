"""A completed deletion removes the users' stored data: by identity, by user_id, through links."""

from .conftest import APP_ID, Heap


def _ingest_alice_and_bob(heap: Heap) -> None:
    heap.post("/api/v1/identify", json={"app_id": APP_ID, "user_id": "11", "identity": "alice"})
    heap.post("/api/v1/identify", json={"app_id": APP_ID, "user_id": "12", "identity": "alice"})
    heap.post("/api/v1/identify", json={"app_id": APP_ID, "user_id": "21", "identity": "bob"})
    heap.track(event="Signed up", identity="alice")
    heap.track(event="Clicked", user_id="12")
    heap.track(event="Signed up", identity="bob")
    heap.post(
        "/api/add_user_properties",
        json={"app_id": APP_ID, "identity": "alice", "properties": {"plan": "pro"}},
    )


BOB_ONLY = {
    "app_id": APP_ID,
    "events": [{"event": "Signed up", "identity": "bob"}],
    "users": {"bob": {}},
    "identify": {"21": "bob"},
    "accounts": {},
}


def test_a_completed_deletion_by_identity_removes_events_properties_and_links(heap: Heap) -> None:
    _ingest_alice_and_bob(heap)
    heap.delete_users([{"identity": "alice"}])

    heap.advance(5)

    assert heap.data() == BOB_ONLY


def test_a_completed_deletion_by_user_id_removes_the_whole_identified_user(heap: Heap) -> None:
    _ingest_alice_and_bob(heap)
    heap.delete_users([{"user_id": 11}])

    heap.advance(5)

    assert heap.data() == BOB_ONLY


def test_a_pending_deletion_removes_nothing_yet(heap: Heap) -> None:
    _ingest_alice_and_bob(heap)
    before = heap.data()
    heap.delete_users([{"identity": "alice"}])

    heap.advance(4)

    assert heap.data() == before


def test_a_deletion_completed_by_polls_removes_the_data(heap: Heap) -> None:
    heap.configure(complete_after_polls=1)
    _ingest_alice_and_bob(heap)
    deletion_id = heap.delete_users([{"identity": "bob"}]).json()["deletion_request_id"]

    heap.status(deletion_id)

    assert "bob" not in heap.data()["users"]


def test_data_sent_after_the_deletion_completed_stays(heap: Heap) -> None:
    _ingest_alice_and_bob(heap)
    heap.delete_users([{"identity": "alice"}])
    heap.advance(6)

    heap.track(event="Came back", identity="alice")

    assert [e["event"] for e in heap.data()["events"] if e.get("identity") == "alice"] == [
        "Came back"
    ]


def test_a_deletion_only_touches_its_own_accounts_data(heap: Heap) -> None:
    heap.post("/api/track", json={"app_id": "777", "event": "Signed up", "identity": "alice"})
    heap.delete_users([{"identity": "alice"}])

    heap.advance(5)

    assert len(heap.data("777")["events"]) == 1
