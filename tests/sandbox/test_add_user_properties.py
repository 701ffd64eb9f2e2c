"""POST /api/add_user_properties: one identity, or a bulk of up to 1000 users."""

from typing import Any

import pytest

from .conftest import APP_ID, Heap

PATH = "/api/add_user_properties"


def test_it_creates_the_identity_and_stores_its_properties(heap: Heap) -> None:
    body = {"app_id": APP_ID, "identity": "alice", "properties": {"plan": "pro", "email": "a@b"}}

    response = heap.post(PATH, json=body)

    assert response.status_code == 200
    assert response.json() == {}
    assert heap.data()["users"] == {"alice": {"plan": "pro", "email": "a@b"}}


def test_it_merges_new_properties_into_the_existing_ones(heap: Heap) -> None:
    heap.post(PATH, json={"app_id": APP_ID, "identity": "a", "properties": {"x": 1, "y": 2}})

    heap.post(PATH, json={"app_id": APP_ID, "identity": "a", "properties": {"y": 3}})

    assert heap.data()["users"] == {"a": {"x": 1, "y": 3}}


def test_it_stores_a_bulk_of_users(heap: Heap) -> None:
    users = [{"identity": f"user{n}", "properties": {"n": n}} for n in range(3)]

    response = heap.post(PATH, json={"app_id": APP_ID, "users": users})

    assert response.status_code == 200
    assert heap.data()["users"] == {"user0": {"n": 0}, "user1": {"n": 1}, "user2": {"n": 2}}
    assert heap.calls()[-1]["users"] == 3


def test_it_accepts_1000_users_in_bulk_and_refuses_1001(heap: Heap) -> None:
    users = [{"identity": f"user{n}", "properties": {}} for n in range(1001)]

    refused = heap.post(PATH, json={"app_id": APP_ID, "users": users})
    accepted = heap.post(PATH, json={"app_id": APP_ID, "users": users[:1000]})

    assert refused.status_code == 400
    assert accepted.status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"properties": {"a": 1}}, "postBody.identity should be a non-empty string"),
        ({"identity": "a"}, "postBody.properties should be object"),
        ({"identity": "a", "properties": {"ID": 1}}, "postBody.properties.ID is a reserved"),
        ({"users": [{"identity": "a", "properties": []}]}, "postBody.users[0].properties should"),
        ({"users": []}, "postBody.users should be a non-empty array"),
    ],
)
def test_it_refuses_invalid_user_properties_with_400_text(
    heap: Heap, body: dict[str, Any], message: str
) -> None:
    response = heap.post(PATH, json={"app_id": APP_ID, **body})

    assert response.status_code == 400
    assert response.text.startswith(message)
