"""The API reference as a plain server-rendered page, built from the OpenAPI schema.

Not Swagger UI or Redoc: both load their JavaScript and CSS from a CDN (drf-spectacular-sidecar,
which would serve them locally, is not installed) and Redoc injects inline styles; the
Content-Security-Policy allows neither (`script-src 'self'`, `style-src 'self'`). The schema
itself is at /api/schema/ for tools that render it.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator

from heapprivacy.api.errors import PROBLEM_TYPES
from heapprivacy.api.models import Scope

METHODS = ("get", "post", "put", "patch", "delete")


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    context = {
        "info": schema["info"],
        "operations": operations_of(schema),
        "scopes": Scope.choices,
        "problems": PROBLEM_TYPES,
    }
    return render(request, "api/docs.html", context)


def operations_of(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Each operation with what a reader needs: method, path, scope, parameters, body, answers."""
    components = schema.get("components", {}).get("schemas", {})
    return [
        {
            "method": method.upper(),
            "path": path,
            "anchor": operation["operationId"],
            "summary": operation.get("summary", ""),
            "description": operation.get("description", ""),
            "scope": operation.get("x-required-scope", ""),
            "parameters": operation.get("parameters", []),
            "body": _body_fields(operation, components),
            "responses": [
                {"status": status, "description": answer.get("description", "")}
                for status, answer in operation["responses"].items()
            ],
        }
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _body_fields(operation: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    content = operation.get("requestBody", {}).get("content", {})
    reference = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    body = components.get(reference.rsplit("/", 1)[-1], {})
    required = set(body.get("required", []))
    return [
        {"name": name, "required": name in required, "description": _describe(field)}
        for name, field in body.get("properties", {}).items()
    ]


def _describe(field: dict[str, Any]) -> str:
    if "$ref" in field:
        return field["$ref"].rsplit("/", 1)[-1]
    kind = field.get("type", "")
    if kind == "array":
        kind = f"list of {_describe(field.get('items', {}))}"
    text = field.get("description", "")
    return f"{kind}. {text}" if kind and text else kind or text
