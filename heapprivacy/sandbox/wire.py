"""The values passed between the HTTP server and the endpoint handlers, and how errors look.

Handlers take a `Request` and return a `Response`, or raise `HttpError`; the dispatcher renders the
error in the shape of the endpoint's family: plain text for ingestion (doc), one of the three
documented JSON shapes for the deletion API, the `error_symbol` shape for everything else.
"""

import json
import math
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

ERROR_STYLES = ("error_symbol", "err_object", "err_string")


@dataclass
class Request:
    """One HTTP request, with its header names in lower case and its query string parsed."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    base_url: str
    params: dict[str, str] = field(default_factory=dict)
    # Counts and app_id for the call log, filled in by the handlers; never secrets or bodies.
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class HttpError(Exception):
    """An answer other than success: status, a message for the body, extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def json_response(status: int, payload: object, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload).encode()
    return Response(status, body, "application/json", headers or {})


def text_response(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, text.encode(), "text/plain; charset=utf-8", headers or {})


def phrase(status: int) -> str:
    """The reason phrase of a status code, used as the error symbol (e.g. `Unauthorized`)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_json(error: HttpError, style: str = "error_symbol") -> Response:
    """The error body in one of the three shapes Heap's deletion docs show."""
    bodies = {
        "error_symbol": {"error": phrase(error.status), "message": error.message},
        "err_object": {"err": {"message": error.message}},
        "err_string": {"err": error.message},
    }
    return json_response(error.status, bodies[style], error.headers)


def error_text(error: HttpError) -> Response:
    return text_response(error.status, error.message, error.headers)


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of range")
    return number


def read_json(request: Request) -> Any:
    """The body parsed as JSON; NaN, Infinity and overflowing numbers are refused as invalid."""
    try:
        return json.loads(request.body, parse_constant=_refuse_constant, parse_float=_finite_float)
    except ValueError as error:
        raise HttpError(400, "postBody should be valid JSON") from error
