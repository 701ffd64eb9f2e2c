"""Schemathesis against /api/schema/ through the WSGI app: no 5xx, every answer fits the schema.

Every operation is called with a token holding every scope, with bounded examples, in a
transactional database (the WSGI app commits as it would in production).
"""

from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from heapprivacy.wsgi import application
from tests.api.conftest import ALL_SCOPES, client_with
from tests.erasure.factories import make_account, make_request

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


# Loaded at collection (schema generation reads no database). Not from_fixture: its lazy mode
# breaks on pytest 9 (it sets Function._nodeid, which pytest 9 no longer has).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


KNOWN_REFERENCE = "DSR-2026-000001"  # the request the `token` fixture creates first


@schema.hook
def flatmap_path_parameters(context: object, parameters: dict) -> st.SearchStrategy:
    """Half the references name a real request, so retrieve, approve and reject get past 404."""
    if not parameters or "reference" not in parameters:
        return st.just(parameters)
    return st.sampled_from([parameters, {**parameters, "reference": KNOWN_REFERENCE}])


@schema.hook
def flatmap_body(context: object, body: object) -> st.SearchStrategy:
    """Half the creates name the real Heap account and drop the fields random values mostly get
    wrong (a received_at in the future, an email Django refuses), so some get through."""
    if not (isinstance(body, dict) and "heap_account" in body):
        return st.just(body)
    likely = {**body, "heap_account": "acme"}
    likely.pop("received_at", None)
    likely.pop("requester_email", None)
    return st.sampled_from([body, likely])


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: object) -> None:
    settings.API_RATE_LIMIT = "100000/m"  # the fuzzer's calls must not be throttled


@pytest.fixture
def token(transactional_db: None) -> str:
    account = make_account()
    first = make_request(
        account, ["alice@example.com"], received_at=datetime(2026, 1, 5, tzinfo=UTC)
    )
    assert first.reference == KNOWN_REFERENCE
    return client_with(*ALL_SCOPES)[1]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_never_fails_and_always_answers_as_documented(
    case: schemathesis.Case, token: str
) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
