"""Real sockets on 127.0.0.1: the failures urllib3 actually raises land in the right class."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from heapprivacy.heap import HeapClient, HeapConnectionError, HeapTimeout

from .fakes import API_KEY, APP_ID, CUT, HANG, RESET, LoopbackHeap, Reply, closed_port


@pytest.fixture
def loopback() -> Iterator[LoopbackHeap]:
    server = LoopbackHeap().start()
    yield server
    server.stop()


def client_for(url: str) -> HeapClient:
    return HeapClient(
        app_id=APP_ID,
        api_key=API_KEY,
        deletion_base_url=url,
        ingestion_base_url=url,
        timeout=(1, 0.2),
    )


def granted(loopback: LoopbackHeap) -> LoopbackHeap:
    loopback.script.append(Reply(200, {"access_token": "loopback-token"}))
    return loopback


def test_a_refused_connection_was_not_sent():
    client = client_for(f"http://127.0.0.1:{closed_port()}")

    with pytest.raises(HeapConnectionError) as caught:
        client.track("Signed up", identity="alice@example.com")

    assert caught.value.maybe_processed is False


def test_a_server_that_never_answers_is_a_timeout_that_may_have_acted(loopback):
    granted(loopback).script.append(HANG)

    with pytest.raises(HeapTimeout) as caught:
        client_for(loopback.url).delete_users([{"user_id": 1}])

    assert caught.value.maybe_processed is True
    assert [r.path for r in loopback.received][-1] == "/api/public/v0/user_deletion"


def test_a_connection_reset_before_the_answer_may_have_acted(loopback):
    granted(loopback).script.append(RESET)

    with pytest.raises(HeapTimeout) as caught:
        client_for(loopback.url).delete_users([{"user_id": 1}])

    assert caught.value.maybe_processed is True


def test_a_connection_cut_mid_body_may_have_acted(loopback):
    granted(loopback).script.append(CUT)

    with pytest.raises(HeapTimeout) as caught:
        client_for(loopback.url).delete_users([{"user_id": 1}])

    assert caught.value.maybe_processed is True


def test_a_get_that_never_answers_did_not_act(loopback):
    granted(loopback).script.append(HANG)

    with pytest.raises(HeapTimeout) as caught:
        client_for(loopback.url).deletion_status("some-id")

    assert caught.value.maybe_processed is False


def test_the_client_talks_plain_http_to_a_loopback_heap(loopback):
    granted(loopback).script.append(
        Reply(
            201,
            {
                "deletion_request_id": "r-1",
                "status": "pending",
                "deletion_request_location": f"{loopback.url}/x",
            },
        )
    )

    receipt = client_for(loopback.url).delete_users([{"identity": "alice@example.com"}])

    assert receipt.deletion_request_id == "r-1"
    assert loopback.received[1].headers["Authorization"] == "Bearer loopback-token"
