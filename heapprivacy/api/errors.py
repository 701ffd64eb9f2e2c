"""Every API error is an `application/problem+json` document (RFC 9457).

Members: `type` (a URI naming the problem type; the API docs page explains each one under that
anchor), `title` (the same for every occurrence of the type), `status`, `detail` (this
occurrence), `instance` (the path called) and, for invalid input, `errors`: one
`{"field": "subjects[3].value", "detail": "…"}` per refused field.
"""

import logging
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.urls import reverse
from rest_framework import exceptions, status
from rest_framework.response import Response

from heapprivacy.refusals import ActionRefused, ActorRefused

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: str
    status: int
    meaning: str


PROBLEM_TYPES = [
    ProblemType(
        "invalid-input",
        "The request has invalid fields",
        400,
        "A field of the body, a query parameter or a header is refused; `errors` names each "
        "one (`subjects[3].value`) with the rule it breaks.",
    ),
    ProblemType(
        "malformed-request", "The request body is not valid JSON", 400, "Fix the JSON and retry."
    ),
    ProblemType(
        "unauthenticated",
        "Authentication required",
        401,
        "No `Authorization: Bearer <token>` header, or a token that is unknown or revoked.",
    ),
    ProblemType(
        "missing-scope",
        "The token lacks the scope this call needs",
        403,
        "`required_scope` names it; an administrator grants scopes when creating a client.",
    ),
    ProblemType("forbidden", "Forbidden", 403, "The call is not allowed."),
    ProblemType("not-found", "Not found", 404, "No such resource, or an invalid cursor."),
    ProblemType(
        "method-not-allowed", "Method not allowed", 405, "The `Allow` header lists the methods."
    ),
    ProblemType("not-acceptable", "Not acceptable", 406, "Accept application/json."),
    ProblemType(
        "invalid-transition",
        "The request is not in a state that allows this",
        409,
        "For instance approving a request that was rejected. `detail` gives its state.",
    ),
    ProblemType("request-too-large", "The request body is too large", 413, "Split the request."),
    ProblemType(
        "unsupported-media-type",
        "Unsupported media type",
        415,
        "Send the body as `Content-Type: application/json`.",
    ),
    ProblemType(
        "idempotency-key-reused",
        "The Idempotency-Key was used with another request",
        422,
        "A key stands for one request body: send a new key for a new request.",
    ),
    ProblemType(
        "rate-limited",
        "Too many requests",
        429,
        "The per-client rate limit is reached; retry after `Retry-After` seconds.",
    ),
    ProblemType("server-error", "Internal server error", 500, "Ours; it has been logged."),
]
PROBLEMS = {problem.slug: problem for problem in PROBLEM_TYPES}


class MissingScope(exceptions.PermissionDenied):
    problem = "missing-scope"

    def __init__(self, scope: str) -> None:
        super().__init__(f"This call needs the scope {scope}.")
        self.scope = scope


class InvalidTransitionProblem(exceptions.APIException):
    problem = "invalid-transition"
    status_code = status.HTTP_409_CONFLICT


class RequestTooLarge(exceptions.APIException):
    problem = "request-too-large"
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class IdempotencyKeyReused(exceptions.APIException):
    problem = "idempotency-key-reused"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was first sent with a different request; use a new key."


# DRF's own exceptions, most specific first.
DRF_PROBLEMS: list[tuple[type[Exception], str]] = [
    (exceptions.ValidationError, "invalid-input"),
    (exceptions.ParseError, "malformed-request"),
    (exceptions.NotAuthenticated, "unauthenticated"),
    (exceptions.AuthenticationFailed, "unauthenticated"),
    (exceptions.PermissionDenied, "forbidden"),
    (exceptions.NotFound, "not-found"),
    (exceptions.MethodNotAllowed, "method-not-allowed"),
    (exceptions.NotAcceptable, "not-acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported-media-type"),
    (exceptions.Throttled, "rate-limited"),
]


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: DRF's answer (status, WWW-Authenticate, Retry-After) as a problem.

    An unexpected exception is logged and answered 500 here, so that the call is still audited.
    """
    from rest_framework.views import exception_handler  # it imports this module's users

    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge("The body is too large.")
    elif isinstance(exc, ActorRefused):  # a service's rule about who acts (four eyes)
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, ActionRefused):  # a service's rule about the state
        exc = InvalidTransitionProblem(str(exc))
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("API call failed", exc_info=exc)
        response = Response(status=status.HTTP_500_INTERNAL_SERVER_ERROR)
        exc = exceptions.APIException("Unexpected error; it has been logged.")
        slug = "server-error"
    else:
        slug = problem_slug(exc)
    request = context["request"]
    response.data = problem_body(
        slug, response.status_code, _detail(exc, response.data), request.path
    )
    if slug == "invalid-input":
        response.data["errors"] = field_errors(cast(exceptions.ValidationError, exc).detail)
        response.data["detail"] = _summary(response.data["errors"])
    if isinstance(exc, MissingScope):
        response.data["required_scope"] = exc.scope
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_slug(exc: Exception) -> str:
    if hasattr(exc, "problem"):
        return exc.problem
    for exception_class, slug in DRF_PROBLEMS:
        if isinstance(exc, exception_class):
            return slug
    return "not-found" if isinstance(exc, Http404) else "forbidden"


def problem_body(slug: str, status_code: int, detail: str, instance: str) -> dict[str, Any]:
    problem = PROBLEMS[slug]
    return {
        "type": problem_type_uri(slug),
        "title": problem.title,
        "status": status_code,
        "detail": detail,
        "instance": instance,
    }


def problem_type_uri(slug: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('api:docs')}#problem-{slug}"


def problem_response(slug: str, detail: str, instance: str) -> Response:
    """A problem answered without raising (nothing to roll back)."""
    status_code = PROBLEMS[slug].status
    body = problem_body(slug, status_code, detail, instance)
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def field_errors(detail: Any, path: str = "") -> list[dict[str, str | None]]:
    """Flatten DRF's nested error detail into one entry per message, each naming its field:
    `subjects[3].value`, `jurisdiction`; a message about the whole body has field null."""
    if isinstance(detail, dict):
        return [
            error
            for key, value in detail.items()
            for error in field_errors(value, _join(path, key))
        ]
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [{"field": path or None, "detail": str(item)} for item in detail]
        return [
            error
            for index, item in enumerate(detail)
            if item
            for error in field_errors(item, f"{path}[{index}]")
        ]
    return [{"field": path or None, "detail": str(detail)}]


def _join(path: str, key: object) -> str:
    if key == "non_field_errors":
        return path
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _detail(exc: Exception, data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return str(data["detail"])
    return str(getattr(exc, "detail", "")) or str(exc)


def _summary(errors: list[dict[str, str | None]]) -> str:
    if not errors:
        return "The request is not valid."
    first = errors[0]
    text = f"{first['field']}: {first['detail']}" if first["field"] else str(first["detail"])
    more = len(errors) - 1
    return text if not more else f"{text} (and {more} more: see errors)"
