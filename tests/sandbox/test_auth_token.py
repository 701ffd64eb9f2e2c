"""POST /api/public/v0/auth_token: HTTP Basic app_id:api_key → a bearer token."""

import pytest

from .conftest import API_KEY, APP_ID, OTHER_APP_ID, Heap

PATH = "/api/public/v0/auth_token"


def test_it_issues_a_bearer_token_for_the_credentials_of_an_account(heap: Heap) -> None:
    response = heap.post(PATH, auth=(APP_ID, API_KEY))

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert len(body["access_token"]) >= 32


def test_it_refuses_a_wrong_api_key_with_401_and_an_error_body(heap: Heap) -> None:
    response = heap.post(PATH, auth=(APP_ID, "not-the-key"))

    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "Invalid app_id or api_key"}


def test_it_refuses_the_key_of_another_account(heap: Heap) -> None:
    assert heap.post(PATH, auth=(OTHER_APP_ID, API_KEY)).status_code == 401


def test_it_refuses_an_environment_id_that_is_no_account(heap: Heap) -> None:
    assert heap.post(PATH, auth=("999", API_KEY)).status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [None, "Basic", "Basic !!!not-base64!!!", "Basic bm8tY29sb24=", "Bearer abc"],
    ids=["missing", "empty", "not-base64", "no-colon", "bearer"],
)
def test_it_refuses_missing_or_malformed_basic_credentials(
    heap: Heap, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = heap.post(PATH, headers=headers)

    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"


def test_it_keeps_several_tokens_live_at_once(heap: Heap) -> None:
    first, second = heap.token(), heap.token()

    assert first != second
    assert heap.delete_users([{"user_id": 1}], token=first).status_code == 201
    assert heap.delete_users([{"user_id": 1}], token=second).status_code == 201


def test_a_token_lives_exactly_the_configured_ttl(heap: Heap) -> None:
    token = heap.token()

    heap.advance(299.5)
    assert heap.delete_users([{"user_id": 1}], token=token).status_code == 201
    heap.advance(0.5)
    assert heap.delete_users([{"user_id": 1}], token=token).status_code == 401


def test_it_advertises_and_applies_a_changed_token_ttl(heap: Heap) -> None:
    heap.configure(token_ttl=60)

    response = heap.post(PATH, auth=(APP_ID, API_KEY))
    heap.advance(60)

    assert response.json()["expires_in"] == 60
    assert (
        heap.delete_users([{"user_id": 1}], token=response.json()["access_token"]).status_code
        == 401
    )


def test_it_refuses_get_with_405(heap: Heap) -> None:
    response = heap.get(PATH, auth=(APP_ID, API_KEY))

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
