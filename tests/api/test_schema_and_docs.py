"""/api/schema/ (OpenAPI 3, public) and /api/docs/ (the reference, plain HTML under the CSP)."""

import html
import json
import re

import pytest
from django.test import Client

from heapprivacy.api.models import Scope
from heapprivacy.api.schema import EXAMPLES
from heapprivacy.api.serializers import RequestApproveIn, RequestRejectIn

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("post", "/api/v1/requests"),
    ("get", "/api/v1/requests"),
    ("get", "/api/v1/requests/{reference}"),
    ("post", "/api/v1/requests/{reference}/approve"),
    ("post", "/api/v1/requests/{reference}/reject"),
    ("get", "/api/v1/batches"),
    ("get", "/api/v1/audit"),
}


@pytest.fixture
def schema(client: Client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_documents_every_operation_and_nothing_else(schema: dict) -> None:
    documented = {(method, path) for path, item in schema["paths"].items() for method in item}

    assert schema["openapi"].startswith("3.")
    assert documented == OPERATIONS


def test_each_operation_names_its_scope_and_the_bearer_scheme(schema: dict) -> None:
    scopes = {
        operation["x-required-scope"]
        for item in schema["paths"].values()
        for operation in item.values()
    }

    assert scopes == set(Scope.values)
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"


def test_errors_are_documented_as_problem_json(schema: dict) -> None:
    create = schema["paths"]["/api/v1/requests"]["post"]

    for status in ("400", "401", "403", "422", "429"):
        assert list(create["responses"][status]["content"]) == ["application/problem+json"]


def test_the_schema_is_public_and_ignores_a_bad_token(client: Client) -> None:
    response = client.get("/api/schema/", headers={"Authorization": "Bearer nonsense"})

    assert response.status_code == 200


def test_the_reference_page_lists_the_operations_with_no_script(client: Client) -> None:
    response = client.get("/api/docs/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<script" not in page
    assert "style=" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    for method, path in OPERATIONS:
        assert f"{method.upper()} {path}" in page
    assert "Idempotency-Key" in page
    assert "<code>subjects</code>" in page


def test_the_reference_page_names_no_type_it_does_not_define(client: Client) -> None:
    page = client.get("/api/docs/").content.decode()
    cells = " ".join(re.findall(r"<td>(.*?)</td>", page, re.S))
    schema_names = client.get("/api/schema/?format=json").json()["components"]["schemas"]

    assert [name for name in schema_names if re.search(rf"\b{name}\b", cells)] == []
    assert "one of “identity”" in page
    assert "one of “identity_not_verified”, “not_a_subject”" in page


def test_every_operation_with_a_body_shows_an_example_its_serializer_accepts(
    client: Client,
) -> None:
    page = client.get("/api/docs/").content.decode()
    examples = [
        json.loads(html.unescape(body))
        for body in re.findall(r'<pre class="example"><code>(.*?)</code></pre>', page, re.S)
    ]

    assert [sorted(example) for example in examples] == [
        sorted(EXAMPLES["requests_create"]),
        sorted(EXAMPLES["requests_approve"]),
        sorted(EXAMPLES["requests_reject"]),
    ]
    assert RequestRejectIn(data=EXAMPLES["requests_reject"]).is_valid()
    assert RequestApproveIn(data=EXAMPLES["requests_approve"]).is_valid()
