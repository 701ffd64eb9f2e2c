"""/api/schema/ (OpenAPI 3, public) and /api/docs/ (the reference, plain HTML under the CSP)."""

import json

import pytest
from django.test import Client

from heapprivacy.api.models import Scope

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
