"""Every API call, allowed or refused, leaves an `api.call` event: client, method, path, status.
Never the body, never the token."""

import json

import pytest

from heapprivacy.api.models import ApiClient, Scope
from heapprivacy.audit.models import AuditEvent
from tests.api.conftest import Caller, client_with

pytestmark = pytest.mark.django_db

BODY = {"subjects": [{"kind": "identity", "value": "alice@example.com"}], "heap_account": "acme"}


def calls() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="api.call").order_by("seq"))


def test_an_allowed_call_records_client_method_path_and_status(account: object) -> None:
    client, token = client_with(Scope.REQUESTS_CREATE)

    Caller(token).post("/api/v1/requests", BODY)

    (event,) = calls()
    assert event.details == {
        "client_id": client.pk,
        "method": "POST",
        "path": "/api/v1/requests",
        "status": 201,
    }
    assert (event.actor_kind, event.actor_id, event.actor_label) == (
        "api_client",
        str(client.pk),
        client.name,
    )
    assert event.request_ref.startswith("DSR-")


@pytest.mark.parametrize(
    ("scopes", "token_kind", "status"),
    [
        ((Scope.AUDIT_READ,), "valid", 403),
        ((), "none", 401),
        ((), "unknown", 401),
        ((Scope.REQUESTS_READ,), "valid", 404),
    ],
)
def test_a_refused_call_is_recorded_too(
    db: None, scopes: tuple, token_kind: str, status: int
) -> None:
    client, token = client_with(*scopes) if scopes else (None, None)
    token = {"valid": token, "none": None, "unknown": "hpk_unknown"}[token_kind]
    path = "/api/v1/requests/DSR-2026-000404" if status == 404 else "/api/v1/requests"

    assert Caller(token).get(path).status_code == status

    (event,) = calls()
    assert event.details == {
        "client_id": client.pk if client else None,
        "method": "GET",
        "path": path,
        "status": status,
    }
    if client is None:
        assert (event.actor_kind, event.actor_id, event.actor_label) == (
            "api_client",
            "",
            "unauthenticated",
        )


def test_a_rate_limited_call_is_recorded(api: Caller, settings: object) -> None:
    settings.API_RATE_LIMIT = "1/m"
    api.get("/api/v1/batches")

    api.get("/api/v1/batches")

    assert [event.details["status"] for event in calls()] == [200, 429]


def test_the_event_holds_no_body_no_query_and_no_token(account: object) -> None:
    _, token = client_with(*Scope.values)
    caller = Caller(token)

    caller.post("/api/v1/requests", {**BODY, "external_ref": "crm-secret-ref"})
    caller.get("/api/v1/requests", {"external_ref": "crm-secret-ref"})

    trail = json.dumps([event.to_chain_dict() for event in AuditEvent.objects.all()])
    assert token not in trail
    assert token[:12] not in trail
    assert "alice@example.com" not in trail
    assert "crm-secret-ref" not in trail


def test_the_token_is_never_in_an_answer(account: object) -> None:
    _, token = client_with(*Scope.values)
    caller = Caller(token)

    answers = [
        caller.post("/api/v1/requests", BODY),
        caller.get("/api/v1/requests"),
        caller.get("/api/v1/audit"),
        Caller(token + "x").get("/api/v1/requests"),
    ]

    for answer in answers:
        assert token.encode() not in answer.content
        assert token[4:12].encode() not in answer.content
    assert ApiClient.objects.filter(token_hash__contains=token).count() == 0
