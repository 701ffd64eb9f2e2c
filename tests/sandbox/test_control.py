"""The /_sandbox/ endpoints: calls, deletions, data, config, advance, reset."""

from typing import Any

import pytest

from .conftest import API_KEY, APP_ID, OTHER_APP_ID, Heap


def test_calls_lists_every_heap_call_in_order_without_bodies(heap: Heap) -> None:
    token = heap.token()
    deletion_id = heap.delete_users([{"user_id": 1}, {"identity": "a"}], token=token).json()[
        "deletion_request_id"
    ]
    heap.status(deletion_id, token=token)
    heap.track(event="x", identity="a")
    heap.get("/nowhere")

    calls = heap.calls()

    assert [(c["seq"], c["method"], c["name"], c["status"]) for c in calls] == [
        (1, "POST", "auth_token", 200),
        (2, "POST", "user_deletion", 201),
        (3, "GET", "deletion_status", 200),
        (4, "POST", "track", 200),
        (5, "GET", None, 404),
    ]
    assert calls[1] == {
        "seq": 2,
        "time": "2026-01-01T00:00:00+00:00",
        "method": "POST",
        "path": "/api/public/v0/user_deletion",
        "name": "user_deletion",
        "status": 201,
        "faults": [],
        "app_id": APP_ID,
        "users": 2,
    }
    assert calls[2]["path"] == f"/api/public/v0/deletion_status/{deletion_id}"
    assert calls[3]["events"] == 1


def test_sandbox_calls_are_not_logged_as_calls(heap: Heap) -> None:
    heap.get("/_sandbox/deletions")
    heap.get("/_sandbox/faults")

    assert heap.calls() == []


def test_deletions_lists_each_request_with_its_users_and_status(heap: Heap) -> None:
    deletion_id = heap.delete_users([{"user_id": 1}]).json()["deletion_request_id"]
    heap.advance(5)

    deletions = heap.get("/_sandbox/deletions").json()["deletions"]

    assert deletions == [
        {
            "id": deletion_id,
            "app_id": APP_ID,
            "users": [{"user_id": 1}],
            "status": "complete",
            "created": "2026-01-01T00:00:00+00:00",
            "completed": "2026-01-01T00:00:05+00:00",
            "polls": 0,
        }
    ]


def test_data_needs_an_app_id(heap: Heap) -> None:
    response = heap.get("/_sandbox/data")

    assert response.status_code == 400
    assert response.json()["message"] == "the app_id query parameter is required"


def test_data_of_an_app_id_never_seen_is_empty(heap: Heap) -> None:
    assert heap.data("31337") == {
        "app_id": "31337",
        "events": [],
        "users": {},
        "identify": {},
        "accounts": {},
    }


def test_reset_forgets_everything_but_accounts_and_settings(heap: Heap) -> None:
    heap.configure(token_ttl=60)
    token = heap.token()
    heap.delete_users([{"user_id": 1}], token=token)
    heap.track(event="x", identity="a")
    heap.add_fault({"path": "identify", "status": 500})

    assert heap.post("/_sandbox/reset").status_code == 200

    assert heap.calls() == []
    assert heap.get("/_sandbox/deletions").json() == {"deletions": []}
    assert heap.get("/_sandbox/faults").json() == {"faults": []}
    assert heap.data()["events"] == []
    assert heap.delete_users([{"user_id": 1}], token=token).status_code == 401
    assert heap.get("/_sandbox/config").json()["token_ttl"] == 60
    assert heap.post("/api/public/v0/auth_token", auth=(APP_ID, API_KEY)).status_code == 200


def test_config_shows_the_settings_and_app_ids_but_never_api_keys(heap: Heap) -> None:
    response = heap.get("/_sandbox/config")

    assert response.json() == {
        "token_ttl": 300,
        "complete_after": 5.0,
        "complete_after_polls": 0,
        "rate_limits": True,
        "app_ids": [APP_ID, OTHER_APP_ID],
    }
    assert API_KEY not in response.text


def test_config_adds_an_account_and_rekeys_an_existing_one(heap: Heap) -> None:
    accounts = [{"app_id": "777", "api_key": "new-key"}, {"app_id": APP_ID, "api_key": "rotated"}]

    response = heap.configure(accounts=accounts)

    assert response.json()["app_ids"] == [APP_ID, OTHER_APP_ID, "777"]
    assert heap.token("777", "new-key")
    assert heap.token(APP_ID, "rotated")
    assert heap.post("/api/public/v0/auth_token", auth=(APP_ID, API_KEY)).status_code == 401


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"host": "0"}, "unknown settings: host"),
        ({"token_ttl": 0}, "token_ttl should be"),
        ({"token_ttl": "60"}, "token_ttl should be"),
        ({"complete_after": -1}, "complete_after should be"),
        ({"complete_after_polls": 1.5}, "complete_after_polls should be"),
        ({"rate_limits": "no"}, "rate_limits should be"),
        ({"accounts": {"1": "k"}}, "accounts should be an array"),
        ({"accounts": [{"app_id": "abc", "api_key": "k"}]}, "an account's app_id should be"),
        ({"accounts": [{"app_id": "1", "api_key": ""}]}, "an account's api_key should not"),
        ({"accounts": ["1:k"]}, "postBody.accounts[] should be object"),
    ],
)
def test_config_refuses_an_invalid_change_with_400(
    heap: Heap, change: dict[str, Any], message: str
) -> None:
    response = heap.post("/_sandbox/config", json=change)

    assert response.status_code == 400
    assert response.json()["message"].startswith(message)
    assert heap.get("/_sandbox/config").json()["token_ttl"] == 300


def test_advance_moves_the_clock_and_answers_the_new_time(heap: Heap) -> None:
    response = heap.post("/_sandbox/advance", json={"seconds": 90})

    assert response.json() == {"now": "2026-01-01T00:01:30+00:00"}


@pytest.mark.parametrize("seconds", [-1, "5", True, None])
def test_advance_refuses_anything_but_a_number_of_seconds(heap: Heap, seconds: Any) -> None:
    assert heap.post("/_sandbox/advance", json={"seconds": seconds}).status_code == 400
