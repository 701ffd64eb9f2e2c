"""The exceptions the Heap client raises, and how a failed call is classified.

Every error answers the two questions a retry policy needs:

- ``permanent``: the same call cannot succeed by being repeated; a human has to look.
- ``maybe_processed``: Heap may have acted on the request. Only ever true for a POST that may
  have reached Heap (a 5xx, a timeout after sending, a 2xx we could not read).

The client never retries on its own (apart from one token refresh after a 401 on the deletion
API): the caller's pipeline owns the retry policy and reads these two flags.
"""

from __future__ import annotations

import email.utils
import json
import math
from collections.abc import Iterable
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

BODY_LIMIT = 16_384
MESSAGE_LIMIT = 500
REDACTED = "[redacted]"


class HeapError(Exception):
    """Base class of every error the Heap client raises.

    Attributes: ``permanent``, ``maybe_processed``, ``status_code`` (None when no HTTP
    response arrived), ``message`` (parsed from the response body), ``body`` (the raw response
    text, at most 16 KiB, with any credential the client knows replaced by ``[redacted]``),
    ``method`` and ``path`` of the call, and ``retry_after`` (seconds, from a Retry-After header).
    """

    permanent: bool = True
    maybe_processed: bool = False

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status_code: int | None = None,
        body: str = "",
        retry_after: float | None = None,
        permanent: bool | None = None,
        maybe_processed: bool | None = None,
    ) -> None:
        super().__init__(_summary(method, path, status_code, message))
        self.message = message
        self.method = method
        self.path = path
        self.status_code = status_code
        self.body = body
        self.retry_after = retry_after
        if permanent is not None:
            self.permanent = permanent
        if maybe_processed is not None:
            self.maybe_processed = maybe_processed


class HeapValidationError(HeapError, ValueError):
    """Input refused locally, before anything was sent. ``field`` and ``rule`` say why."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule

    def __reduce__(self) -> tuple[type[HeapValidationError], tuple[str, str]]:
        return type(self), (self.field, self.rule)


class HeapAuthError(HeapError):
    """401: bad credentials, or a token Heap refused even after one fresh token."""


class HeapBadRequest(HeapError):
    """400, 413, 422 and every other 4xx without a class of its own: the request is wrong."""


class HeapNotFound(HeapError):
    """404: an unknown deletion_request_id (or another account's), or a wrong base URL."""


class HeapRateLimited(HeapError):
    """429: retry later, after ``retry_after`` seconds when Heap said so.

    (assumption: Heap documents no rate limit on deletion nor an over-limit answer on
    ingestion; we expect 429.)
    """

    permanent = False


class HeapServerError(HeapError):
    """5xx: Heap failed; a POST may have been processed all the same."""

    permanent = False


class HeapConnectionError(HeapError):
    """The request never left: DNS failure, connection refused, connect timeout, TLS failure."""

    permanent = False


class HeapTimeout(HeapError):
    """The request was (or may have been) sent and no full answer came back.

    Covers read timeouts and connections reset or cut mid-response.
    """

    permanent = False


class HeapProtocolError(HeapError):
    """Heap answered outside the contract.

    A 2xx whose body is not what the contract says is transient and, for a POST, maybe
    processed. A status outside 2xx/4xx/5xx (a redirect, which the client never follows) is
    permanent and not processed: it means a base URL is misconfigured.
    """

    permanent = False


_ERROR_BY_STATUS: dict[int, type[HeapError]] = {
    401: HeapAuthError,
    404: HeapNotFound,
    429: HeapRateLimited,
}


def error_from_response(
    response: requests.Response,
    *,
    may_act: bool,
    now: float,
    secrets: Iterable[str],
) -> HeapError:
    """Classify a non-2xx response. ``may_act`` is true when the call may change data at Heap."""
    status = response.status_code
    text = redact(response.content.decode("utf-8", errors="replace"), secrets)
    context: dict[str, Any] = {
        "method": response.request.method or "",
        "path": response.request.path_url,
        "status_code": status,
        "body": text[:BODY_LIMIT],
        "retry_after": parse_retry_after(response.headers.get("Retry-After"), now),
    }
    message = parse_error_message(text) or f"HTTP {status}"
    if status in _ERROR_BY_STATUS:
        return _ERROR_BY_STATUS[status](message, **context)
    if 400 <= status < 500:
        return HeapBadRequest(message, **context)
    if status >= 500:
        return HeapServerError(message, maybe_processed=may_act, **context)
    location = response.headers.get("Location", "")
    unexpected = f"unexpected HTTP {status} {location}".strip()
    return HeapProtocolError(unexpected, permanent=True, maybe_processed=False, **context)


def error_from_transport(
    exc: requests.RequestException, *, method: str, path: str, may_act: bool
) -> HeapError:
    """Classify a failure that produced no HTTP response.

    ``requests.ConnectTimeout`` is a ``ConnectionError`` and a ``Timeout`` at once, hence the
    order of the tests. Anything not known to fail before sending counts as "sent, no answer"
    (assumption: the safe reading when in doubt).
    """
    detail = _describe(exc)
    if isinstance(exc, requests.ConnectTimeout) or _never_sent(exc):
        return HeapConnectionError(f"not sent: {detail}", method=method, path=path)
    return HeapTimeout(
        f"sent, no answer: {detail}", method=method, path=path, maybe_processed=may_act
    )


def protocol_error(
    response: requests.Response,
    reason: str,
    *,
    may_act: bool,
    secrets: Iterable[str],
    keep_body: bool = True,
) -> HeapProtocolError:
    """A 2xx response whose body breaks the contract (``reason`` says how)."""
    text = response.content.decode("utf-8", errors="replace")
    return HeapProtocolError(
        reason,
        method=response.request.method or "",
        path=response.request.path_url,
        status_code=response.status_code,
        body=redact(text, secrets)[:BODY_LIMIT] if keep_body else "",
        maybe_processed=may_act,
    )


def parse_error_message(text: str) -> str:
    """The human message of an error body, in any of the shapes Heap uses.

    ``{"err": {"message": …}}``, ``{"error": "<symbol>", "message": …}``, ``{"err": "…"}``,
    or plain text (ingestion answers 400 in plain text).
    """
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    return (_message_from_json(data) or text.strip())[:MESSAGE_LIMIT]


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP-date; else None."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return _seconds_until_http_date(value, now)
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-empty secret replaced by ``[redacted]``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _summary(method: str, path: str, status_code: int | None, message: str) -> str:
    call = f"{method} {path}".strip()
    status = f"HTTP {status_code}" if status_code is not None else ""
    return ": ".join(part for part in (call, status, message) if part)


def _message_from_json(data: object) -> str:
    if not isinstance(data, dict):
        return ""
    err, symbol, message = data.get("err"), data.get("error"), data.get("message")
    if isinstance(err, dict) and isinstance(err.get("message"), str):
        return err["message"]
    if isinstance(err, str):
        return err
    if isinstance(symbol, str) and isinstance(message, str):
        return f"{symbol}: {message}"
    return next((value for value in (message, symbol) if isinstance(value, str)), "")


def _seconds_until_http_date(value: str, now: float) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def _never_sent(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.ProxyError):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason = _reason(exc)
    # NewConnectionError and NameResolutionError are ConnectTimeoutError subclasses in urllib3 2.
    return isinstance(reason, ConnectTimeoutError)


def _reason(exc: requests.RequestException) -> object:
    reason = exc.args[0] if exc.args else None
    return reason.reason if isinstance(reason, MaxRetryError) else reason


def _describe(exc: requests.RequestException) -> str:
    reason = _reason(exc)
    if isinstance(reason, BaseException):
        return f"{type(exc).__name__} caused by {type(reason).__name__}"
    return type(exc).__name__
