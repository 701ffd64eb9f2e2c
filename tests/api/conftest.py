"""The cast of API tests: a Heap account, API clients holding chosen scopes, and their callers."""

import json
from collections.abc import Callable, Iterator
from itertools import count
from typing import Any

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client

from heapprivacy.api.models import ApiClient, Scope
from heapprivacy.api.services import api_client_create
from tests.erasure.factories import SYSTEM

ALL_SCOPES = list(Scope.values)
PROBLEM = "application/problem+json"


class Caller:
    """An HTTP client that sends one API token (or none) with every call."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self.http = Client()

    def headers(self, extra: dict[str, str]) -> dict[str, str]:
        auth = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**auth, **extra}

    def get(self, path: str, params: dict | None = None, **headers: str) -> HttpResponse:
        return self.http.get(path, params or {}, headers=self.headers(headers))

    def post(self, path: str, body: Any = None, **headers: str) -> HttpResponse:
        data = "" if body is None else json.dumps(body)
        return self.http.post(
            path, data, content_type="application/json", headers=self.headers(headers)
        )

    def call(self, method: str, path: str, **kwargs: Any) -> HttpResponse:
        return getattr(self, method.lower())(path, **kwargs)


_names = count(1)


def client_with(*scopes: str) -> tuple[ApiClient, str]:
    return api_client_create(name=f"system-{next(_names)}", scopes=list(scopes), actor=SYSTEM)


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> Iterator[None]:
    """The rate limit's history lives in the cache, which outlives a test: start each empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def caller_with(db: None) -> Callable[..., Caller]:
    """caller_with("requests:read"): a caller whose client holds exactly those scopes."""

    def make(*scopes: str) -> Caller:
        return Caller(client_with(*scopes)[1])

    return make


@pytest.fixture
def api(caller_with: Callable[..., Caller]) -> Caller:
    """A caller holding every scope."""
    return caller_with(*ALL_SCOPES)


def problem(response: HttpResponse) -> dict[str, Any]:
    """The problem+json body of a response, checked for the members every problem has."""
    assert response["Content-Type"] == PROBLEM, response.content
    body = json.loads(response.content)
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == response.status_code
    return body


def fields(response: HttpResponse) -> dict[str | None, str]:
    """{field: detail} of an invalid-input problem."""
    return {error["field"]: error["detail"] for error in problem(response)["errors"]}
