"""OpenAPI documentation helpers: each operation names its scope and the problems it answers."""

from collections.abc import Callable
from typing import Any

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers

from heapprivacy.api.errors import PROBLEM_CONTENT_TYPE, PROBLEMS
from heapprivacy.api.serializers import ProblemOut
from heapprivacy.heap.validation import MAX_IDENTITY_LENGTH, MAX_USER_ID

# Every operation can answer these: no or a bad token, a token without the scope, too many calls.
COMMON_PROBLEMS = (401, 403, 429)


class ApiAutoSchema(AutoSchema):
    """A paginated view is a list view, whatever the order of its documented answers (the
    stock guess reads the lowest status key, and "(400, 'application/problem+json')" sorts
    before "200")."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        if serializer is None and getattr(self.view, "pagination_class", None):
            return True
        return super()._is_list_view(serializer)

    def _map_serializer_field(
        self, field: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        """Also document the bounds of a list of nested objects (subjects: 1 to 10,000)."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.ListSerializer) and schema:
            # min_length and max_length: ListSerializer's, which the stubs do not declare.
            minimum = getattr(field, "min_length", None) or (0 if field.allow_empty else 1)
            if minimum:
                schema["minItems"] = minimum
            maximum = getattr(field, "max_length", None)
            if maximum is not None:
                schema["maxItems"] = maximum
        return schema


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "heapprivacy.api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API client's token, shown once when an administrator creates it.",
        }


class SubjectSchema(OpenApiSerializerExtension):
    """A subject is one of two shapes, told apart by `kind`: say so, rather than "a kind and a
    value" that lets a reader (or a fuzzer) pair user_id with an email address."""

    target_class = "heapprivacy.api.serializers.SubjectIn"

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        identity = {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_IDENTITY_LENGTH,
            "description": "Kept exactly as given: never trimmed or lowercased.",
        }
        user_id = {
            "oneOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_USER_ID},
                {"type": "string", "pattern": "^[0-9]{1,16}$"},
            ],
            "description": f"A whole number in [0, {MAX_USER_ID}], as a number or digits.",
        }
        return {
            "oneOf": [_subject("identity", identity), _subject("user_id", user_id)],
            "description": "A Heap identifier, validated as every intake channel validates it.",
        }


def _subject(kind: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"kind": {"type": "string", "enum": [kind]}, "value": value},
        "required": ["kind", "value"],
    }


def documented(
    scope: str,
    *,
    summary: str,
    responses: dict[int, Any],
    problems: list[int] | tuple[int, ...] = (),
    description: str = "",
    **kwargs: Any,
) -> Callable:
    """extend_schema for one operation: its scope, its answers, and its problem+json answers."""
    answers: dict[Any, Any] = dict(responses)
    for status in sorted({*COMMON_PROBLEMS, *problems}):
        answers[(status, PROBLEM_CONTENT_TYPE)] = OpenApiResponse(
            ProblemOut, description=_problem_titles(status)
        )
    return extend_schema(
        summary=summary,
        description=f"Needs the scope `{scope}`. {description}".strip(),
        responses=answers,
        extensions={"x-required-scope": scope},
        **kwargs,
    )


def _problem_titles(status: int) -> str:
    return "; ".join(
        f"{problem.slug}: {problem.title}"
        for problem in PROBLEMS.values()
        if problem.status == status
    )


# One example body per operation that takes one: the docs page shows it, ready to paste.
EXAMPLES = {
    "requests_create": {
        "subjects": [
            {"kind": "identity", "value": "jo.doe@example.com"},
            {"kind": "user_id", "value": "8452913476225481"},
        ],
        "heap_account": "main",
        "jurisdiction": "GDPR-EU",
        "received_at": "2026-12-01T09:30:00Z",
        "external_ref": "crm-48213",
        "requester_email": "jo.doe@example.com",
    },
    "requests_approve": {"verification_override": "verified by sign-in to the customer portal"},
    "requests_reject": {"reason_code": "not_a_subject", "note": ""},
}


def example_of(operation_id: str) -> list[OpenApiExample]:
    return [OpenApiExample("Example", value=EXAMPLES[operation_id], request_only=True)]
