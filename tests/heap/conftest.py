from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import responses

from heapprivacy.heap import HeapClient

from .fakes import API_KEY, APP_ID, AUTH_URL, DELETION_URL, REQUEST_ID, FakeClock, deletion_body


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def heap() -> Iterator[responses.RequestsMock]:
    """Every HTTP call of a test goes here; an unregistered URL fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def make_client(clock: FakeClock) -> Callable[..., HeapClient]:
    def make(**overrides: object) -> HeapClient:
        options = {"app_id": APP_ID, "api_key": API_KEY, "clock": clock, "sleep": clock.sleep}
        return HeapClient(**{**options, **overrides})

    return make


@pytest.fixture
def client(make_client: Callable[..., HeapClient]) -> HeapClient:
    return make_client()


@pytest.fixture
def grant_token(heap: responses.RequestsMock) -> Callable[..., None]:
    """Register auth_token answers: one per token given, in order."""

    def grant(*tokens: str, expires_in: object = 300) -> None:
        extra = {} if expires_in is None else {"expires_in": expires_in}
        for token in tokens or ("token-1",):
            heap.post(AUTH_URL, json={"access_token": token, "token_type": "Bearer", **extra})

    return grant


@pytest.fixture
def accept_deletion(heap: responses.RequestsMock) -> Callable[..., None]:
    def accept(request_id: str = REQUEST_ID) -> None:
        heap.post(DELETION_URL, status=201, json=deletion_body(request_id))

    return accept
