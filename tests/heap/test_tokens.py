"""Tokens: fetched only when none is valid, reused, refreshed early, and once more after a 401."""

from __future__ import annotations

import pytest

from heapprivacy.heap import HeapAuthError, HeapValidationError
from heapprivacy.heap.tokens import LOCK_WAIT, TokenStore, token_cache_key

from .fakes import (
    API_KEY,
    APP_ID,
    AUTH_URL,
    DELETION_URL,
    EU,
    REQUEST_ID,
    STATUS_URL,
    US,
    DictCache,
    deletion_body,
)


def auth_calls(heap) -> int:
    return sum(call.request.url == AUTH_URL for call in heap.calls)


def bearers(heap) -> list[str]:
    return [
        call.request.headers["Authorization"] for call in heap.calls if call.request.url != AUTH_URL
    ]


def delete_one(client) -> None:
    client.delete_users([{"user_id": 1}])


def test_it_reuses_one_token_for_many_calls_within_its_lifetime(
    heap, client, clock, grant_token, accept_deletion
):
    grant_token("token-1")
    accept_deletion()
    heap.get(STATUS_URL + REQUEST_ID, json={"deletion_request_id": REQUEST_ID, "status": "pending"})

    for _ in range(5):
        delete_one(client)
        client.deletion_status(REQUEST_ID)
        clock.advance(20)

    assert auth_calls(heap) == 1
    assert set(bearers(heap)) == {"Bearer token-1"}


def test_it_refreshes_30_seconds_before_expires_in_runs_out(
    heap, client, clock, grant_token, accept_deletion
):
    grant_token("token-1", "token-2", expires_in=600)
    accept_deletion()

    delete_one(client)
    clock.advance(569)
    delete_one(client)
    clock.advance(1)
    delete_one(client)

    assert bearers(heap) == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]


def test_without_expires_in_a_token_lives_300_seconds(
    heap, client, clock, grant_token, accept_deletion
):
    grant_token("token-1", "token-2", expires_in=None)
    accept_deletion()

    delete_one(client)
    clock.advance(269)
    delete_one(client)
    clock.advance(1)
    delete_one(client)

    assert bearers(heap) == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]


@pytest.mark.parametrize("expires_in", ["soon", 0, -5, True, None, float("inf")])
def test_a_malformed_expires_in_means_the_documented_300_seconds(
    heap, client, grant_token, expires_in
):
    grant_token("token-1", expires_in=expires_in)

    assert client.fetch_token().expires_in == 300


def test_the_refresh_margin_never_exceeds_half_a_short_lifetime(
    heap, client, clock, grant_token, accept_deletion
):
    grant_token("token-1", "token-2", expires_in=40)
    accept_deletion()

    delete_one(client)
    clock.advance(19)
    delete_one(client)
    clock.advance(1)
    delete_one(client)

    assert bearers(heap) == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]


def test_a_401_discards_the_token_fetches_one_fresh_token_and_retries_once(
    heap, client, grant_token
):
    grant_token("token-1", "token-2")
    heap.post(DELETION_URL, status=401, json={"err": {"message": "Invalid token"}})
    heap.post(DELETION_URL, status=201, json=deletion_body())

    receipt = client.delete_users([{"user_id": 1}])

    assert receipt.deletion_request_id == REQUEST_ID
    assert auth_calls(heap) == 2
    assert bearers(heap) == ["Bearer token-1", "Bearer token-2"]


def test_a_second_401_is_a_permanent_auth_error(heap, client, grant_token):
    grant_token("token-1", "token-2", "token-3")
    heap.post(DELETION_URL, status=401, json={"err": {"message": "Invalid token"}})

    with pytest.raises(HeapAuthError) as caught:
        delete_one(client)

    assert caught.value.permanent is True
    assert auth_calls(heap) == 2
    assert bearers(heap) == ["Bearer token-1", "Bearer token-2"]


def test_a_401_on_deletion_status_is_retried_once_too(heap, client, grant_token):
    grant_token("token-1", "token-2")
    url = STATUS_URL + REQUEST_ID
    heap.get(url, status=401, json={"err": "expired"})
    heap.get(url, json={"deletion_request_id": REQUEST_ID, "status": "complete"})

    assert client.deletion_status(REQUEST_ID).is_complete
    assert bearers(heap) == ["Bearer token-1", "Bearer token-2"]


def test_after_a_refused_token_the_next_call_uses_the_fresh_one(
    heap, client, grant_token, accept_deletion
):
    grant_token("token-1", "token-2")
    heap.post(DELETION_URL, status=401)
    accept_deletion()

    delete_one(client)
    delete_one(client)

    assert bearers(heap) == ["Bearer token-1", "Bearer token-2", "Bearer token-2"]


def test_bad_credentials_are_not_retried(heap, client):
    heap.post(AUTH_URL, status=401, json={"error": "unauthorized", "message": "Bad credentials"})

    with pytest.raises(HeapAuthError):
        delete_one(client)

    assert [call.request.url for call in heap.calls] == [AUTH_URL]


def test_auth_token_is_called_with_http_basic_and_no_body(heap, client, grant_token):
    grant_token()

    client.fetch_token()

    request = heap.calls[0].request
    assert request.method == "POST"
    assert request.headers["Authorization"].startswith("Basic ")
    assert not request.body


def test_fetch_token_always_asks_heap_and_caches_what_it_got(
    heap, client, grant_token, accept_deletion
):
    grant_token("token-1", "token-2", expires_in=120)
    accept_deletion()

    client.fetch_token()
    info = client.fetch_token()
    delete_one(client)

    assert info.expires_in == 120
    assert "token" not in repr(info)
    assert auth_calls(heap) == 2
    assert bearers(heap) == ["Bearer token-2"]


def test_deletion_without_api_key_is_refused_before_any_call(heap, make_client):
    client = make_client(api_key=None)

    for call in (lambda: delete_one(client), lambda: client.deletion_status(REQUEST_ID)):
        with pytest.raises(HeapValidationError, match="api_key"):
            call()

    assert len(heap.calls) == 0


def test_two_clients_sharing_a_cache_share_one_token(
    heap, make_client, grant_token, accept_deletion
):
    cache = DictCache()
    grant_token("token-1", "token-2")
    accept_deletion()

    delete_one(make_client(token_cache=cache))
    delete_one(make_client(token_cache=cache))

    assert auth_calls(heap) == 1
    assert bearers(heap) == ["Bearer token-1", "Bearer token-1"]


def test_clients_without_a_shared_cache_keep_their_own_tokens(
    heap, make_client, grant_token, accept_deletion
):
    grant_token("token-1", "token-2")
    accept_deletion()

    delete_one(make_client())
    delete_one(make_client())

    assert bearers(heap) == ["Bearer token-1", "Bearer token-2"]


def test_the_shared_cache_holds_the_token_until_its_refresh_time(
    heap, make_client, clock, grant_token
):
    cache = DictCache()
    grant_token(expires_in=300)

    make_client(token_cache=cache).fetch_token()

    key = token_cache_key(US, APP_ID)
    assert cache.data[key] == {"access_token": "token-1", "refresh_at": clock.now + 270}
    assert cache.timeouts[key] == 270
    assert f"{key}:lock" not in cache.data


def test_the_cache_key_is_per_account_and_never_holds_the_api_key():
    keys = {token_cache_key(US, APP_ID), token_cache_key(EU, APP_ID), token_cache_key(US, "42")}

    assert len(keys) == 3
    assert all(API_KEY not in key and APP_ID not in key for key in keys)


def test_a_client_waits_for_the_refresh_another_process_is_doing(
    heap, make_client, grant_token, accept_deletion
):
    cache = DictCache()
    key = token_cache_key(US, APP_ID)
    cache.data[f"{key}:lock"] = "1"
    grant_token("never-used")
    accept_deletion()
    polls: list[float] = []

    def sleep_while_another_process_refreshes(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 3:
            cache.data[key] = {"access_token": "from-elsewhere", "refresh_at": float("inf")}

    delete_one(make_client(token_cache=cache, sleep=sleep_while_another_process_refreshes))

    assert auth_calls(heap) == 0
    assert bearers(heap) == ["Bearer from-elsewhere"]
    assert len(polls) == 3


def test_a_client_fetches_its_own_token_when_the_lock_holder_never_delivers(
    heap, make_client, clock, grant_token, accept_deletion
):
    cache = DictCache()
    cache.data[f"{token_cache_key(US, APP_ID)}:lock"] = "1"
    grant_token("own-token")
    accept_deletion()

    delete_one(make_client(token_cache=cache))

    assert sum(clock.slept) == pytest.approx(LOCK_WAIT)
    assert bearers(heap) == ["Bearer own-token"]


def test_discarding_a_refused_token_keeps_a_newer_one_from_another_process(clock):
    cache = DictCache()
    store = TokenStore(
        cache=cache, key="k", fetch=lambda: ("unused", 300.0), clock=clock, sleep=clock.sleep
    )
    cache.data["k"] = {"access_token": "newer", "refresh_at": clock.now + 100}

    store.discard("refused")
    assert cache.data["k"]["access_token"] == "newer"

    store.discard("newer")
    assert "k" not in cache.data


def test_a_cache_entry_of_another_shape_counts_as_no_token(clock):
    cache = DictCache()
    store = TokenStore(
        cache=cache, key="k", fetch=lambda: ("fresh", 300.0), clock=clock, sleep=clock.sleep
    )
    cache.data["k"] = "a string someone else stored"

    assert store.get() == "fresh"
