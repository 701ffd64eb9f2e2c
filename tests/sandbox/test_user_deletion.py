"""POST /api/public/v0/user_deletion: 1 to 10,000 users, each by user_id or identity."""

import time
import uuid
from typing import Any

import pytest

from heapprivacy.sandbox import Sandbox

from .conftest import Heap

PATH = "/api/public/v0/user_deletion"
MAX_USER_ID = 2**53 - 1


def test_it_accepts_a_deletion_with_201_and_its_location(heap: Heap) -> None:
    response = heap.delete_users([{"user_id": 1}, {"identity": "alice@example.com"}])

    assert response.status_code == 201
    body = response.json()
    assert uuid.UUID(body["deletion_request_id"]).version == 4
    assert body["status"] == "pending"
    assert body["deletion_request_location"] == (
        f"{heap.url}/api/public/v0/deletion_status/{body['deletion_request_id']}"
    )


def test_it_records_the_users_exactly_as_sent(heap: Heap, sandbox: Sandbox) -> None:
    users = [{"user_id": 7}, {"user_id": "8"}, {"identity": " Alice@Example.COM "}]

    heap.delete_users(users)

    assert sandbox.deletions()[0]["users"] == [
        {"user_id": 7},
        {"user_id": 8},
        {"identity": " Alice@Example.COM "},
    ]


def test_it_accepts_users_heap_does_not_know(heap: Heap) -> None:
    assert heap.delete_users([{"identity": "nobody@example.com"}]).status_code == 201


@pytest.mark.parametrize("user_id", [0, "0", MAX_USER_ID, str(MAX_USER_ID), "007"])
def test_it_accepts_a_user_id_in_range_as_number_or_digit_string(heap: Heap, user_id: Any) -> None:
    assert heap.delete_users([{"user_id": user_id}]).status_code == 201


def test_it_accepts_an_identity_of_255_characters(heap: Heap) -> None:
    assert heap.delete_users([{"identity": "a" * 255}]).status_code == 201


@pytest.mark.parametrize(
    ("users", "message"),
    [
        ([{"user_id": 1, "identity": "a@b"}], "postBody.users[0] should have exactly one of"),
        ([{}], "postBody.users[0] should have exactly one of"),
        ([{"user_id": 1, "email": "a@b"}], "postBody.users[0] should have no key but"),
        ([{"user_id": MAX_USER_ID + 1}], "postBody.users[0].user_id should be between"),
        ([{"user_id": -1}], "postBody.users[0].user_id should be between"),
        ([{"user_id": "12a"}], "postBody.users[0].user_id should be a whole number"),
        ([{"user_id": 1.5}], "postBody.users[0].user_id should be a whole number"),
        ([{"user_id": True}], "postBody.users[0].user_id should be a whole number"),
        ([{"user_id": None}], "postBody.users[0].user_id should be a whole number"),
        ([{"identity": "a" * 256}], "postBody.users[0].identity should be at most 255"),
        ([{"identity": ""}], "postBody.users[0].identity should be a non-empty string"),
        ([{"identity": 5}], "postBody.users[0].identity should be a non-empty string"),
        ([{"user_id": 1}, "a@b"], "postBody.users[1] should be object"),
        ([], "postBody.users should be a non-empty array"),
        ("a@b", "postBody.users should be a non-empty array"),
    ],
)
def test_it_refuses_an_invalid_users_list_with_400(heap: Heap, users: Any, message: str) -> None:
    response = heap.delete_users(users)

    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"
    assert response.json()["message"].startswith(message)


def test_it_refuses_a_deletion_with_both_identity_and_user_id(heap: Heap, sandbox: Sandbox) -> None:
    response = heap.delete_users([{"identity": "alice@example.com", "user_id": 1}])

    assert response.status_code == 400
    assert sandbox.deletions() == []


@pytest.mark.parametrize("body", [b"{not json", b"", b'{"users": NaN}', b"[]", b'{"users": 1e999}'])
def test_it_refuses_a_body_that_is_not_a_json_object_with_users(heap: Heap, body: bytes) -> None:
    headers = {"Authorization": f"Bearer {heap.token()}"}

    assert heap.post(PATH, data=body, headers=headers).status_code == 400


def test_it_accepts_10000_users_in_under_a_second(heap: Heap, sandbox: Sandbox) -> None:
    token = heap.token()
    users = [
        {"user_id": n} if n % 2 else {"identity": f"user{n}@example.com"} for n in range(10_000)
    ]

    started = time.perf_counter()
    response = heap.delete_users(users, token=token)
    elapsed = time.perf_counter() - started

    assert response.status_code == 201
    assert elapsed < 1
    assert len(sandbox.deletions()[0]["users"]) == 10_000


def test_it_refuses_10001_users(heap: Heap, sandbox: Sandbox) -> None:
    response = heap.delete_users([{"user_id": n} for n in range(10_001)])

    assert response.status_code == 400
    assert response.json()["message"] == "postBody.users should have at most 10000 items"
    assert sandbox.calls()[-1]["users"] == 10_001


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer unknown-token", "Token abc", "Basic YTpi"],
    ids=["missing", "empty", "unknown", "other-scheme", "basic"],
)
def test_it_refuses_a_missing_malformed_or_unknown_bearer_with_401(
    heap: Heap, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = heap.post(PATH, json={"users": [{"user_id": 1}]}, headers=headers)

    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"


def test_it_refuses_an_expired_token_with_401(heap: Heap) -> None:
    token = heap.token()
    heap.advance(300)

    assert heap.delete_users([{"user_id": 1}], token=token).status_code == 401


def test_it_checks_the_token_before_the_body(heap: Heap) -> None:
    response = heap.post(PATH, data=b"{not json", headers={"Authorization": "Bearer nope"})

    assert response.status_code == 401


def test_it_accepts_a_lowercase_bearer_scheme(heap: Heap) -> None:
    headers = {"Authorization": f"bearer {heap.token()}"}

    response = heap.post(PATH, json={"users": [{"user_id": 1}]}, headers=headers)

    assert response.status_code == 201
