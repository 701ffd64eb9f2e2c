"""Fault injection through POST/GET/DELETE /_sandbox/faults, at start, and from Python."""

import time
from typing import Any

import pytest
import requests

from heapprivacy.sandbox import FaultError, Sandbox, SandboxConfig

from .conftest import API_KEY, APP_ID, NOW, Heap

DELETION = "/api/public/v0/user_deletion"


def test_a_status_fault_answers_that_status_the_given_number_of_times(
    heap: Heap, sandbox: Sandbox
) -> None:
    heap.add_fault({"path": "user_deletion", "status": 500, "times": 1})

    failed = heap.delete_users([{"user_id": 1}])
    accepted = heap.delete_users([{"user_id": 1}])

    assert failed.status_code == 500
    assert failed.json() == {"error": "Internal Server Error", "message": "Injected fault"}
    assert accepted.status_code == 201
    assert len(sandbox.deletions()) == 1


def test_a_status_without_a_reason_phrase_gets_a_generic_error_symbol(heap: Heap) -> None:
    heap.add_fault({"path": "auth_token", "status": 599, "times": 1})

    response = heap.post("/api/public/v0/auth_token", auth=(APP_ID, API_KEY))

    assert response.status_code == 599
    assert response.json() == {"error": "Error", "message": "Injected fault"}


def test_a_429_fault_sends_retry_after(heap: Heap) -> None:
    heap.add_fault({"path": "user_deletion", "status": 429, "retry_after": 3, "times": 2})

    responses = [heap.delete_users([{"user_id": 1}]) for _ in range(3)]

    assert [r.status_code for r in responses] == [429, 429, 201]
    assert responses[0].headers["Retry-After"] == "3"


def test_a_fault_without_times_stays_until_cleared(heap: Heap) -> None:
    heap.add_fault({"path": "track", "status": 503})

    statuses = [heap.track(event="x", identity="a").status_code for _ in range(3)]
    heap.request("DELETE", "/_sandbox/faults")

    assert statuses == [503] * 3
    assert heap.track(event="x", identity="a").status_code == 200


def test_a_status_fault_on_ingestion_answers_plain_text(heap: Heap) -> None:
    heap.add_fault({"path": "track", "status": 400, "times": 1})

    response = heap.track(event="x", identity="a")

    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "Injected fault"


def test_a_status_fault_can_send_a_raw_body(heap: Heap) -> None:
    heap.add_fault({"path": "*", "status": 502, "body": "<html>Bad Gateway</html>", "times": 1})

    response = heap.post("/api/public/v0/auth_token", auth=(APP_ID, API_KEY))

    assert response.status_code == 502
    assert response.text == "<html>Bad Gateway</html>"


def test_a_status_fault_after_processing_records_the_deletion_then_fails(
    heap: Heap, sandbox: Sandbox
) -> None:
    heap.add_fault({"path": "user_deletion", "status": 500, "after_processing": True, "times": 1})

    response = heap.delete_users([{"identity": "alice"}])

    assert response.status_code == 500
    assert sandbox.deletions()[0]["users"] == [{"identity": "alice"}]


def test_a_2xx_fault_records_the_deletion_then_answers_a_body_outside_the_contract(
    heap: Heap, sandbox: Sandbox
) -> None:
    fault = {"status": 201, "body": "accepted", "after_processing": True, "times": 1}
    heap.add_fault({"path": "user_deletion", **fault})

    response = heap.delete_users([{"identity": "alice"}])

    assert (response.status_code, response.text) == (201, "accepted")
    assert sandbox.deletions()[0]["users"] == [{"identity": "alice"}]


def test_a_fault_with_every_fires_on_every_nth_call_only(heap: Heap) -> None:
    heap.add_fault({"status": 503, "every": 3})

    statuses = [heap.track(event="x", identity="a").status_code for _ in range(7)]

    assert statuses == [200, 200, 503, 200, 200, 503, 200]


def test_faults_fire_in_the_order_they_were_added(heap: Heap) -> None:
    heap.add_fault([{"status": 500, "times": 1}, {"status": 429, "times": 1}])

    statuses = [heap.track(event="x", identity="a").status_code for _ in range(3)]

    assert statuses == [500, 429, 200]


def test_a_fault_for_one_path_leaves_the_others_alone(heap: Heap) -> None:
    heap.add_fault({"path": "deletion_status", "status": 500})

    assert heap.delete_users([{"user_id": 1}]).status_code == 201


def test_faults_never_touch_the_sandbox_endpoints(heap: Heap) -> None:
    heap.add_fault({"path": "*", "status": 500})

    assert heap.get("/_sandbox/calls").status_code == 200
    assert heap.request("DELETE", "/_sandbox/faults").status_code == 200


def test_a_latency_fault_delays_the_answer(heap: Heap) -> None:
    heap.add_fault({"path": "*", "latency_ms": 150, "times": 1})

    started = time.perf_counter()
    response = heap.track(event="x", identity="a")

    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.15
    assert heap.calls()[-1]["faults"] == ["latency_ms"]


def test_a_hang_makes_the_client_time_out_and_nothing_is_recorded(
    heap: Heap, sandbox: Sandbox
) -> None:
    heap.add_fault({"path": "user_deletion", "hang": True, "hang_seconds": 2, "times": 1})
    token = heap.token()

    with pytest.raises(requests.ReadTimeout):
        heap.post(
            DELETION,
            json={"users": [{"user_id": 1}]},
            headers={"Authorization": f"Bearer {token}"},
            timeout=0.5,
        )

    assert sandbox.deletions() == []
    assert heap.calls()[-1]["status"] is None
    assert heap.calls()[-1]["faults"] == ["hang"]


def test_a_hang_after_processing_records_the_deletion_heap_never_confirmed(
    heap: Heap, sandbox: Sandbox
) -> None:
    heap.add_fault({"path": "user_deletion", "hang": True, "after_processing": True, "times": 1})
    token = heap.token()

    with pytest.raises(requests.ReadTimeout):
        heap.post(
            DELETION,
            json={"users": [{"user_id": 1}]},
            headers={"Authorization": f"Bearer {token}"},
            timeout=0.5,
        )

    assert [d["users"] for d in sandbox.deletions()] == [[{"user_id": 1}]]


def test_a_hang_ends_by_closing_the_connection_without_a_response(heap: Heap) -> None:
    heap.add_fault({"path": "track", "hang": True, "hang_seconds": 0.1, "times": 1})

    with pytest.raises(requests.ConnectionError):
        heap.track(event="x", identity="a")


@pytest.mark.parametrize(
    ("style", "body"),
    [
        ("error_symbol", {"error": "Unauthorized", "message": "Invalid app_id or api_key"}),
        ("err_object", {"err": {"message": "Invalid app_id or api_key"}}),
        ("err_string", {"err": "Invalid app_id or api_key"}),
    ],
)
def test_an_error_style_fault_chooses_the_error_body_shape(
    heap: Heap, style: str, body: dict[str, Any]
) -> None:
    heap.add_fault({"error_style": style})

    response = heap.post("/api/public/v0/auth_token", auth=(APP_ID, "wrong"))

    assert response.status_code == 401
    assert response.json() == body


def test_an_error_style_fault_counts_only_error_bodies(heap: Heap) -> None:
    heap.add_fault({"path": "deletion_status", "error_style": "err_string", "times": 1})
    deletion_id = heap.delete_users([{"user_id": 1}]).json()["deletion_request_id"]
    heap.status(deletion_id)

    first = heap.status("unknown")
    second = heap.status("unknown")

    assert first.json() == {"err": "Deletion request not found"}
    assert second.json()["error"] == "Not Found"


def test_a_token_ttl_fault_makes_a_token_die_before_its_advertised_expiry(heap: Heap) -> None:
    heap.add_fault({"token_ttl": 2, "times": 1})
    response = heap.post("/api/public/v0/auth_token", auth=(APP_ID, API_KEY))
    short_lived = response.json()["access_token"]
    normal = heap.token()

    heap.advance(2)

    assert response.json()["expires_in"] == 300
    assert heap.delete_users([{"user_id": 1}], token=short_lived).status_code == 401
    assert heap.delete_users([{"user_id": 1}], token=normal).status_code == 201


def test_a_deletion_status_value_fault_answers_an_undocumented_status(heap: Heap) -> None:
    heap.configure(complete_after=0)
    deletion_id = heap.delete_users([{"user_id": 1}]).json()["deletion_request_id"]
    heap.add_fault({"deletion_status_value": "processing", "times": 2})

    statuses = [heap.status(deletion_id).json()["status"] for _ in range(3)]

    assert statuses == ["processing", "processing", "complete"]


def test_a_deletion_request_id_fault_gives_the_next_deletion_that_id(heap: Heap) -> None:
    heap.configure(complete_after=0)
    long_id = "d" * 300
    heap.add_fault({"deletion_request_id": long_id, "times": 1})

    first = heap.delete_users([{"user_id": 1}]).json()["deletion_request_id"]
    second = heap.delete_users([{"user_id": 2}]).json()["deletion_request_id"]

    assert first == long_id
    assert second != long_id
    assert heap.status(long_id).json()["status"] == "complete"


def test_the_fault_list_shows_what_is_left_of_each_fault(heap: Heap) -> None:
    heap.add_fault({"path": "track", "status": 429, "retry_after": 1, "times": 2})
    heap.track(event="x", identity="a")

    faults = heap.get("/_sandbox/faults").json()["faults"]

    assert faults == [
        {
            "path": "track",
            "times": 1,
            "status": 429,
            "retry_after": 1,
            "body": None,
            "after_processing": False,
            "every": 1,
        }
    ]


def test_the_implied_path_is_filled_in(heap: Heap) -> None:
    response = heap.add_fault(
        [
            {"token_ttl": 1},
            {"deletion_status_value": "x"},
            {"deletion_request_id": "y"},
            {"hang": True},
        ]
    )

    paths = [fault["path"] for fault in response.json()["faults"]]

    assert paths == ["auth_token", "deletion_status", "user_deletion", "*"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"path": "track"}, "a fault needs exactly one of"),
        ({"status": 500, "latency_ms": 10}, "a fault needs exactly one of"),
        ({"status": 500, "hang_seconds": 1}, "status faults do not take: hang_seconds"),
        ({"status": 201}, "a 2xx status needs a body and after_processing: true"),
        ({"status": 201, "body": "x"}, "a 2xx status needs a body and after_processing: true"),
        ({"status": 302, "body": "x"}, "status should be 200..299 or 400..599"),
        ({"status": 199}, "status should be a whole number in 200..599"),
        ({"status": "500"}, "status should be a whole number in 200..599"),
        ({"status": 500, "times": 0}, "times should be a whole number"),
        ({"status": 500, "path": "users"}, "path should be one of *, auth_token"),
        ({"token_ttl": 2, "path": "track"}, "path should be one of auth_token for token_ttl"),
        ({"error_style": "err_object", "path": "track"}, "path should be one of *, auth_token"),
        ({"error_style": "html"}, "error_style should be one of"),
        ({"hang": False}, "hang should be true"),
        ({"hang": True, "hang_seconds": 0}, "hang_seconds should be a number of seconds"),
        ({"latency_ms": 0}, "latency_ms should be a whole number"),
        ({"deletion_status_value": ""}, "deletion_status_value should be a non-empty string"),
        ({"status": 500, "after_processing": "yes"}, "after_processing should be true or false"),
        ("status 500", "a fault should be a JSON object"),
    ],
)
def test_it_refuses_an_invalid_fault_with_400(heap: Heap, spec: Any, message: str) -> None:
    response = heap.post("/_sandbox/faults", json=spec)

    assert response.status_code == 400
    assert response.json()["message"].startswith(message)


def test_a_list_of_faults_is_added_whole_or_not_at_all(heap: Heap) -> None:
    response = heap.post("/_sandbox/faults", json=[{"status": 500}, {"status": 200}])

    assert response.status_code == 400
    assert heap.get("/_sandbox/faults").json() == {"faults": []}


def test_faults_can_be_given_at_start() -> None:
    config = SandboxConfig(
        accounts={APP_ID: API_KEY}, clock=lambda: NOW, faults=[{"path": "track", "status": 500}]
    )

    with Sandbox(config) as sandbox:
        heap = Heap(sandbox.url)
        assert heap.track(event="x", identity="a").status_code == 500


def test_an_invalid_fault_at_start_is_refused() -> None:
    with pytest.raises(FaultError, match="status should be"):
        Sandbox(SandboxConfig(faults=[{"status": 99}]))


def test_faults_can_be_added_and_cleared_from_python(heap: Heap, sandbox: Sandbox) -> None:
    sandbox.add_fault({"path": "track", "status": 500})
    assert heap.track(event="x", identity="a").status_code == 500

    sandbox.clear_faults()

    assert heap.track(event="x", identity="a").status_code == 200
