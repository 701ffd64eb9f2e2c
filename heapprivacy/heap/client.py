"""HeapClient: every Heap server-side API call, validated before sending, classified on failure."""

from __future__ import annotations

import json
import logging
import math
import time
from base64 import b64encode
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType
from typing import TypeAlias, cast
from urllib.parse import quote, urlsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from . import validation
from .errors import (
    HeapAuthError,
    HeapProtocolError,
    HeapValidationError,
    error_from_response,
    error_from_transport,
    protocol_error,
)
from .results import DeletionReceipt, DeletionStatus
from .tokens import (
    MemoryTokenCache,
    TokenCache,
    TokenInfo,
    TokenStore,
    parse_token_response,
    token_cache_key,
)

logger = logging.getLogger("heapprivacy.heap")

US_HOST = "https://heapanalytics.com"
AUTH_PATH = "/api/public/v0/auth_token"
USER_DELETION_PATH = "/api/public/v0/user_deletion"
DELETION_STATUS_PATH = "/api/public/v0/deletion_status/"
TRACK_PATH = "/api/track"
IDENTIFY_PATH = "/api/v1/identify"
USER_PROPERTIES_PATH = "/api/add_user_properties"
ACCOUNT_PROPERTIES_PATH = "/api/add_account_properties"

TimeoutSetting: TypeAlias = float | tuple[float, float]


def _user_agent() -> str:
    try:
        return f"heapprivacy/{version('heapprivacy')}"
    except PackageNotFoundError:
        return "heapprivacy/unknown"


USER_AGENT = _user_agent()


def encode_json(payload: object) -> bytes:
    """The exact bytes sent: compact UTF-8 JSON, non-ASCII characters left as they are."""
    text = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8")


def encode_deletion_request(users: object) -> bytes:
    """Validate ``users`` and return the exact ``user_deletion`` body ``delete_users`` sends.

    The pipeline can hash these bytes before the call and find the same bytes sent.
    """
    return encode_json({"users": validation.validate_deletion_users(users)})


class HeapClient:
    """A client for one Heap account (its Main Production environment for deletions).

    ``api_key`` is needed only for the User Deletion API. ``timeout`` is passed to every call
    (seconds, or ``(connect, read)``). ``token_cache`` shares tokens between processes (see
    ``tokens``); ``clock`` must return wall-clock epoch seconds because cached expiry times are
    absolute, and ``sleep`` is used only while waiting for another process's token refresh.

    The client never follows redirects and never retries, except once after a 401 on the
    deletion API with a fresh token. One client (and its ``requests.Session``) per thread.
    """

    def __init__(
        self,
        *,
        app_id: str | int,
        api_key: str | None = None,
        deletion_base_url: str = US_HOST,
        ingestion_base_url: str = US_HOST,
        timeout: TimeoutSetting = (3.05, 30),
        token_cache: TokenCache | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.app_id = _check_app_id(app_id)
        self.deletion_base_url = _check_base_url(deletion_base_url, "deletion_base_url")
        self.ingestion_base_url = _check_base_url(ingestion_base_url, "ingestion_base_url")
        self._api_key = _check_api_key(api_key)
        self._timeout = _check_timeout(timeout)
        self._clock = clock
        self._session = requests.Session()
        self._session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self._tokens = TokenStore(
            cache=token_cache if token_cache is not None else MemoryTokenCache(clock),
            key=token_cache_key(self.deletion_base_url, self.app_id),
            fetch=self._request_token,
            clock=clock,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        return (
            f"HeapClient(app_id={self.app_id!r}, deletion_base_url={self.deletion_base_url!r}, "
            f"ingestion_base_url={self.ingestion_base_url!r})"
        )

    def __enter__(self) -> HeapClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections."""
        self._session.close()

    def delete_users(self, users: Sequence[Mapping[str, str | int]]) -> DeletionReceipt:
        """Ask Heap to delete 1 to 10,000 users, each ``{"identity": …}`` or ``{"user_id": …}``.

        Returns the receipt of an accepted request: the deletion is done only when
        ``deletion_status`` says ``complete``. Users unknown to Heap are accepted all the same.
        """
        self._require_api_key()
        body = encode_deletion_request(users)
        response = self._deletion_call("POST", USER_DELETION_PATH, body=body, items=len(users))
        try:
            return DeletionReceipt.from_response(response.status_code, response.content)
        except ValueError as exc:
            raise self._protocol_error(response, str(exc), may_act=True) from exc

    def deletion_status(self, deletion_request_id: str) -> DeletionStatus:
        """The status of a deletion request (HeapNotFound for an unknown id).

        The URL is built from ``deletion_base_url``, never from the returned location, so a
        token is only ever sent to the configured host.
        """
        self._require_api_key()
        request_id = validation.validate_deletion_request_id(deletion_request_id)
        path = DELETION_STATUS_PATH + quote(request_id, safe="")
        response = self._deletion_call("GET", path)
        try:
            return DeletionStatus.from_response(request_id, response.content)
        except ValueError as exc:
            raise self._protocol_error(response, str(exc), may_act=False) from exc

    def fetch_token(self) -> TokenInfo:
        """Fetch (and cache) a new token now, whatever the cache holds: checks the credentials."""
        self._require_api_key()
        return TokenInfo(expires_in=self._tokens.refresh().lifetime)

    def track(
        self,
        event: str,
        *,
        identity: str | None = None,
        user_id: str | int | None = None,
        properties: Mapping[str, object] | None = None,
        timestamp: str | datetime | None = None,
        idempotency_key: str | None = None,
        session_id: str | None = None,
    ) -> None:
        """Track one server-side event for exactly one of ``identity`` / ``user_id``."""
        fields = {
            "event": event,
            "identity": identity,
            "user_id": user_id,
            "properties": properties,
            "timestamp": timestamp,
            "idempotency_key": idempotency_key,
            "session_id": session_id,
        }
        self._ingest(TRACK_PATH, validation.validate_track_event(fields), items=1)

    def track_bulk(self, events: Sequence[Mapping[str, object]]) -> None:
        """Track 1 to 1000 events, each a mapping with the keyword arguments of ``track``."""
        items = validation.validate_bulk(events, "events")
        payload = [validation.validate_track_event(e, f"events[{i}]") for i, e in enumerate(items)]
        self._ingest(TRACK_PATH, {"events": payload}, items=len(payload))

    def identify(
        self, *, user_id: str | int, identity: str, timestamp: str | datetime | None = None
    ) -> None:
        """Attach ``identity`` to ``user_id`` (``app_id`` must be Main Production's).

        Heap keeps only the first identity of a user_id; it drops later remaps.
        """
        payload = validation.validate_identify(user_id, identity, timestamp)
        self._ingest(IDENTIFY_PATH, payload, items=1)

    def add_user_properties(self, *, identity: str, properties: Mapping[str, object]) -> None:
        """Set properties on a user (Heap creates the identity if it does not exist)."""
        entry = {"identity": identity, "properties": properties}
        self._ingest(USER_PROPERTIES_PATH, validation.validate_user_properties(entry), items=1)

    def add_user_properties_bulk(self, users: Sequence[Mapping[str, object]]) -> None:
        """Set properties on 1 to 1000 users, each ``{"identity": …, "properties": {…}}``."""
        items = validation.validate_bulk(users, "users")
        payload = [
            validation.validate_user_properties(u, f"users[{i}]") for i, u in enumerate(items)
        ]
        self._ingest(USER_PROPERTIES_PATH, {"users": payload}, items=len(payload))

    def add_account_properties(self, *, account_id: str, properties: Mapping[str, object]) -> None:
        """Set properties on an account."""
        entry = {"account_id": account_id, "properties": properties}
        payload = validation.validate_account_properties(entry)
        self._ingest(ACCOUNT_PROPERTIES_PATH, payload, items=1)

    def add_account_properties_bulk(self, accounts: Sequence[Mapping[str, object]]) -> None:
        """Set properties on 1 to 1000 accounts, each ``{"account_id": …, "properties": {…}}``."""
        items = validation.validate_bulk(accounts, "accounts")
        payload = [
            validation.validate_account_properties(a, f"accounts[{i}]") for i, a in enumerate(items)
        ]
        self._ingest(ACCOUNT_PROPERTIES_PATH, {"accounts": payload}, items=len(payload))

    def _ingest(self, path: str, payload: Mapping[str, object], *, items: int) -> None:
        body = encode_json({"app_id": self.app_id, **payload})
        self._send("POST", self.ingestion_base_url, path, body=body, items=items, may_act=True)

    def _deletion_call(
        self, method: str, path: str, *, body: bytes | None = None, items: int | None = None
    ) -> requests.Response:
        send = partial(
            self._send,
            method,
            self.deletion_base_url,
            path,
            body=body,
            items=items,
            may_act=method == "POST",
        )
        token = self._tokens.get()
        try:
            return send(token=token)
        except HeapAuthError:
            logger.info("heap token refused on %s %s; retrying once with a fresh one", method, path)
            self._tokens.discard(token)
        return send(token=self._tokens.get(refused=token))

    def _request_token(self) -> tuple[str, float]:
        response = self._send(
            "POST", self.deletion_base_url, AUTH_PATH, basic_auth=True, may_act=False
        )
        try:
            return parse_token_response(response.content)
        except ValueError as exc:
            raise self._protocol_error(response, str(exc), may_act=False, keep_body=False) from exc

    def _send(
        self,
        method: str,
        base_url: str,
        path: str,
        *,
        may_act: bool,
        body: bytes | None = None,
        token: str | None = None,
        basic_auth: bool = False,
        items: int | None = None,
    ) -> requests.Response:
        started = time.perf_counter()
        try:
            response = self._session.request(
                method,
                base_url + path,
                data=body,
                headers={"Content-Type": "application/json"} if body is not None else None,
                auth=self._auth(token, basic_auth),
                timeout=self._timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            _log_call(method, path, type(exc).__name__, started, items)
            raise error_from_transport(exc, method=method, path=path, may_act=may_act) from exc
        _log_call(method, path, response.status_code, started, items)
        if not 200 <= response.status_code < 300:
            raise error_from_response(
                response, may_act=may_act, now=self._clock(), secrets=self._secrets(token)
            )
        return response

    def _auth(self, token: str | None, basic_auth: bool) -> AuthBase | None:
        if token is not None:
            return _BearerAuth(token)
        return HTTPBasicAuth(self.app_id, self._api_key or "") if basic_auth else None

    def _secrets(self, token: str | None) -> tuple[str, ...]:
        if not self._api_key:
            return (token or "",)
        basic = b64encode(f"{self.app_id}:{self._api_key}".encode()).decode()
        return (self._api_key, basic, token or "")

    def _protocol_error(
        self, response: requests.Response, reason: str, *, may_act: bool, keep_body: bool = True
    ) -> HeapProtocolError:
        return protocol_error(
            response, reason, may_act=may_act, secrets=self._secrets(None), keep_body=keep_body
        )

    def _require_api_key(self) -> None:
        if not self._api_key:
            raise HeapValidationError("api_key", "required for the User Deletion API")


class _BearerAuth(AuthBase):
    """Sets ``Authorization: Bearer``; an auth object also stops requests adding .netrc creds."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "_BearerAuth()"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request


def _log_call(method: str, path: str, outcome: object, started: float, items: int | None) -> None:
    elapsed_ms = (time.perf_counter() - started) * 1000
    logger.info(
        "heap call %s %s status=%s elapsed_ms=%.0f items=%s",
        method,
        path,
        outcome,
        elapsed_ms,
        "-" if items is None else items,
    )


def _check_app_id(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**64:
        return str(value)
    if not (isinstance(value, str) and value.isascii() and value.isdigit()):
        raise HeapValidationError("app_id", "must be a Heap environment id (digits only)")
    return value


def _check_api_key(value: object) -> str | None:
    if value is None:
        return None
    if not (isinstance(value, str) and value.isascii() and value.isprintable()) or " " in value:
        raise HeapValidationError("api_key", "must be printable ASCII without spaces")
    return value or None


def _check_base_url(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise HeapValidationError(field, "must be an http(s) URL with a host")
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in {"http", "https"} or not parts.hostname:
        raise HeapValidationError(field, "must be an http(s) URL with a host")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise HeapValidationError(field, "must not carry credentials, a query or a fragment")
    return value.rstrip("/")


def _check_timeout(value: object) -> TimeoutSetting:
    pair = value if isinstance(value, tuple) else (value, value)
    valid = len(pair) == 2 and all(
        isinstance(part, int | float) and not isinstance(part, bool) and 0 < part < math.inf
        for part in pair
    )
    if not valid:
        raise HeapValidationError("timeout", "must be seconds > 0, or a (connect, read) pair")
    return cast(TimeoutSetting, value)
