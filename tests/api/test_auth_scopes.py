"""Every operation, every scope: no token or a bad one → 401, a revoked one → 401, another
scope → 403, its own scope → through. Each refusal is problem+json."""

from datetime import timedelta

import pytest

from heapprivacy.api.models import ApiClient, Scope
from heapprivacy.api.services import api_client_revoke
from heapprivacy.audit.models import AuditEvent
from tests.api.conftest import ALL_SCOPES, Caller, client_with, problem
from tests.erasure.factories import SYSTEM, make_request

pytestmark = pytest.mark.django_db

REFERENCE = "DSR-2026-000001"
# (method, path, the scope it needs, the status its own scope gets with no body and no data)
OPERATIONS = [
    ("POST", "/api/v1/requests", Scope.REQUESTS_CREATE, 400),
    ("GET", "/api/v1/requests", Scope.REQUESTS_READ, 200),
    ("GET", f"/api/v1/requests/{REFERENCE}", Scope.REQUESTS_READ, 200),
    ("POST", f"/api/v1/requests/{REFERENCE}/approve", Scope.REQUESTS_DECIDE, 409),
    ("POST", f"/api/v1/requests/{REFERENCE}/reject", Scope.REQUESTS_DECIDE, 400),
    ("GET", "/api/v1/batches", Scope.BATCHES_READ, 200),
    ("GET", "/api/v1/audit", Scope.AUDIT_READ, 200),
]
IDS = [f"{method} {path}" for method, path, _, _ in OPERATIONS]


def audited_statuses(path: str) -> list[int]:
    """The status of each `api.call` event recorded for `path` (details.path)."""
    events = AuditEvent.objects.filter(action="api.call").order_by("seq")
    return [event.details["status"] for event in events if event.details["path"] == path]


@pytest.fixture(autouse=True)
def _request(account: object) -> None:
    assert make_request(account).reference == REFERENCE


@pytest.mark.parametrize(("method", "path", "scope", "allowed"), OPERATIONS, ids=IDS)
def test_its_own_scope_lets_the_call_through(
    method: str, path: str, scope: str, allowed: int
) -> None:
    caller = Caller(client_with(scope)[1])

    assert caller.call(method, path).status_code == allowed
    assert audited_statuses(path) == [allowed]


@pytest.mark.parametrize(("method", "path", "scope", "allowed"), OPERATIONS, ids=IDS)
def test_every_other_scope_is_refused_403(method: str, path: str, scope: str, allowed: int) -> None:
    others = [other for other in ALL_SCOPES if other != scope]
    caller = Caller(client_with(*others)[1])

    response = caller.call(method, path)

    assert response.status_code == 403
    body = problem(response)
    assert body["type"].endswith("#problem-missing-scope")
    assert body["required_scope"] == scope
    assert audited_statuses(path) == [403]


@pytest.mark.parametrize(("method", "path", "scope", "allowed"), OPERATIONS, ids=IDS)
def test_no_token_is_refused_401(method: str, path: str, scope: str, allowed: int) -> None:
    response = Caller(None).call(method, path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="heapprivacy"'
    assert problem(response)["type"].endswith("#problem-unauthenticated")
    assert audited_statuses(path) == [401]


@pytest.mark.parametrize(("method", "path", "scope", "allowed"), OPERATIONS, ids=IDS)
def test_an_unknown_token_is_refused_401(method: str, path: str, scope: str, allowed: int) -> None:
    response = Caller("hpk_" + "x" * 43).call(method, path)

    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert problem(response)["detail"] == "The token is unknown or revoked."
    assert audited_statuses(path) == [401]


@pytest.mark.parametrize(("method", "path", "scope", "allowed"), OPERATIONS, ids=IDS)
def test_a_revoked_token_is_refused_401_like_an_unknown_one(
    method: str, path: str, scope: str, allowed: int
) -> None:
    client, token = client_with(*ALL_SCOPES)
    api_client_revoke(client, actor=SYSTEM)

    response = Caller(token).call(method, path)

    assert response.status_code == 401
    assert problem(response)["detail"] == "The token is unknown or revoked."


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer two tokens",
        "Token abc",
        "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
        "Bearer " + "x" * 300,
    ],
)
def test_a_malformed_or_foreign_authorization_header_is_401(authorization: str) -> None:
    response = Caller(None).get("/api/v1/requests", Authorization=authorization)

    assert response.status_code == 401
    problem(response)


def test_the_scheme_is_case_insensitive() -> None:
    _, token = client_with(Scope.REQUESTS_READ)

    response = Caller(None).get("/api/v1/requests", Authorization=f"bearer {token}")

    assert response.status_code == 200


def test_an_authenticated_call_notes_when_the_client_was_last_used(api: Caller) -> None:
    assert ApiClient.objects.get().last_used_at is None  # created, never used

    api.get("/api/v1/requests")

    assert ApiClient.objects.get().last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(api: Caller) -> None:
    api.get("/api/v1/requests")
    first = ApiClient.objects.get().last_used_at

    api.get("/api/v1/requests")
    assert ApiClient.objects.get().last_used_at == first

    ApiClient.objects.update(last_used_at=first - timedelta(seconds=61))
    api.get("/api/v1/requests")
    assert ApiClient.objects.get().last_used_at > first


def test_a_method_no_operation_serves_is_405_after_authentication(api: Caller) -> None:
    response = api.http.delete("/api/v1/requests", headers=api.headers({}))

    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert problem(response)["type"].endswith("#problem-method-not-allowed")
    assert Caller(None).http.delete("/api/v1/requests").status_code == 401


def test_options_is_not_a_way_around_the_scopes(caller_with: object) -> None:
    caller = caller_with(Scope.AUDIT_READ)

    response = caller.http.options("/api/v1/batches", headers=caller.headers({}))

    assert response.status_code == 405
