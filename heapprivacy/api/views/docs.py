"""The API reference as a plain server-rendered page, built from the OpenAPI schema.

Not Swagger UI or Redoc: both load their JavaScript and CSS from a CDN (drf-spectacular-sidecar,
which would serve them locally, is not installed) and Redoc injects inline styles; the
Content-Security-Policy allows neither (`script-src 'self'`, `style-src 'self'`). The schema
itself is at /api/schema/ for tools that render it.
"""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator

from heapprivacy.api.errors import PROBLEM_TYPES
from heapprivacy.api.models import Scope

METHODS = ("get", "post", "put", "patch", "delete")
TYPES = {"string": "text", "integer": "whole number", "boolean": "true or false"}
FORMATS = {
    "date-time": "date and time (ISO 8601 with its offset, e.g. 2026-12-01T09:30:00Z)",
    "email": "email address",
    "uri": "URL",
}


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
            "example": _example(operation),
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
        {"name": name, "required": name in required, "description": _describe(field, components)}
        for name, field in body.get("properties", {}).items()
    ]


def _example(operation: dict[str, Any]) -> str:
    """The operation's example body as indented JSON ('' when it takes no body)."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    examples = list(content.get("examples", {}).values())
    return json.dumps(examples[0]["value"], indent=2) if examples else ""


def _describe(field: dict[str, Any], components: dict[str, Any]) -> str:
    """A field in words, with every type it names spelled out: the page defines nothing else."""
    text = field.get("description", "")
    kind = _kind(field, components)
    return f"{kind}. {text}" if kind and text else kind or text


def _kind(field: dict[str, Any], components: dict[str, Any]) -> str:
    if "$ref" in field:
        field = components.get(field["$ref"].rsplit("/", 1)[-1], {})
    for combined in ("allOf", "oneOf"):
        if field.get(combined):
            return " or ".join(_kind(part, components) for part in field[combined])
    if "enum" in field:
        values = [f"“{value}”" for value in field["enum"] if value]
        return "one of " + ", ".join(values) if values else "empty"
    if field.get("type") == "array":
        return f"list of {_kind(field.get('items', {}), components)}"
    if field.get("type") == "object" and "properties" in field:
        required = set(field.get("required", []))
        parts = [
            f"{name} ({_kind(part, components)}{', required' if name in required else ''})"
            for name, part in field["properties"].items()
        ]
        return "object: " + "; ".join(parts)
    if field.get("format") in FORMATS:
        return FORMATS[field["format"]]
    return TYPES.get(field.get("type", ""), field.get("type", ""))
