"""The real HeapClient against the real Heap sandbox, over real HTTP: the two must agree.

One sandbox per test, in process on a free port, its clock frozen. The client's clock follows the
sandbox's (`SandboxTime`), so tokens expire for both at once; only `SandboxTime.advance` moves
time, and nothing sleeps. Faults make the sandbox fail on purpose; `sandbox.calls()` shows what
reached it, `sandbox.data()` / `sandbox.deletions()` what it kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from heapprivacy.heap import (
    DeletionReceipt,
    DeletionStatus,
    HeapAuthError,
    HeapBadRequest,
    HeapClient,
    HeapConnectionError,
    HeapError,
    HeapNotFound,
    HeapRateLimited,
    HeapServerError,
    HeapTimeout,
    TokenInfo,
    encode_deletion_request,
)
from heapprivacy.sandbox import Sandbox, SandboxConfig

from .fakes import closed_port

APP_ID = "4242424242"
API_KEY = "contract-api-key-3c8e"
OTHER_APP_ID = "5151515151"
OTHER_API_KEY = "other-api-key-77d0"
# 2026-01-01T00:00:00Z, the frozen start of every test.
NOW = 1_767_225_600.0
TOKEN_TTL = 300
COMPLETE_AFTER = 3600.0
ALICE = "alice@example.com"
BOB = "bob@example.com"
CAROL = "carol@example.com"
# Identities Heap must receive byte for byte: spaces, case and a zero-width space all count.
ODD_IDENTITIES = (
    "  Alice@Example.com  ",
    "ALICE@example.COM",
    "bob\u200b@example.com",
    "\u200bcarol@Example.com\u200b",
)
DELETION_PATH = "/api/public/v0/user_deletion"


class SandboxTime:
    """The client's clock: the sandbox's frozen time. `advance` moves both clocks together."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self._advanced = 0.0

    def __call__(self) -> float:
        return NOW + self._advanced

    def advance(self, seconds: float) -> None:
        self._sandbox.advance(seconds)
        self._advanced += seconds


@dataclass(frozen=True)
class Exchange:
    """One request the process sent and the raw bytes of the answer, as the wire carried them."""

    method: str
    path: str
    sent: bytes
    status: int
    received: bytes


class Wiretap:
    """Records every exchange at requests' transport adapter, under the client."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def on(self, path: str) -> list[Exchange]:
        return [exchange for exchange in self.exchanges if exchange.path == path]


def no_wall_sleep(seconds: float) -> None:
    raise AssertionError(f"the client waited {seconds} s of wall time")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    config = SandboxConfig(
        accounts={APP_ID: API_KEY, OTHER_APP_ID: OTHER_API_KEY},
        token_ttl=TOKEN_TTL,
        complete_after=COMPLETE_AFTER,
        clock=lambda: NOW,
    )
    with Sandbox(config) as running:
        yield running


@pytest.fixture
def clock(sandbox: Sandbox) -> SandboxTime:
    return SandboxTime(sandbox)


@pytest.fixture
def make_client(sandbox: Sandbox, clock: SandboxTime) -> Iterator[Callable[..., HeapClient]]:
    made: list[HeapClient] = []

    def make(**overrides: Any) -> HeapClient:
        options = {
            "app_id": APP_ID,
            "api_key": API_KEY,
            "deletion_base_url": sandbox.url,
            "ingestion_base_url": sandbox.url,
            "timeout": (2, 5),
            "clock": clock,
            "sleep": no_wall_sleep,
        }
        made.append(HeapClient(**{**options, **overrides}))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., HeapClient]) -> HeapClient:
    return make_client()


@pytest.fixture
def wiretap(monkeypatch: pytest.MonkeyPatch) -> Wiretap:
    tap = Wiretap()
    send = HTTPAdapter.send

    def recording_send(
        adapter: HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        response = send(adapter, request, **kwargs)
        sent = request.body if isinstance(request.body, bytes) else b""
        exchange = Exchange(
            request.method or "", request.path_url, sent, response.status_code, response.content
        )
        tap.exchanges.append(exchange)
        return response

    monkeypatch.setattr(HTTPAdapter, "send", recording_send)
    return tap


def calls_to(sandbox: Sandbox, name: str) -> list[dict[str, Any]]:
    return [call for call in sandbox.calls() if call["name"] == name]


def statuses_of(sandbox: Sandbox, name: str) -> list[int | None]:
    return [call["status"] for call in calls_to(sandbox, name)]


def delete_alice(client: HeapClient) -> DeletionReceipt:
    return client.delete_users([{"identity": ALICE}])


def poll_unknown_id(client: HeapClient) -> DeletionStatus:
    return client.deletion_status("0b7e1f34-0000-4000-8000-000000000000")


def track_alice(client: HeapClient) -> None:
    client.track("Signed up", identity=ALICE)


def set_acme_plan(client: HeapClient) -> None:
    client.add_account_properties(account_id="acme", properties={"plan": "pro"})


# Tokens


def test_fetch_token_reports_the_lifetime_the_sandbox_advertises(client, sandbox):
    info = client.fetch_token()

    assert info == TokenInfo(expires_in=float(TOKEN_TTL))
    [call] = calls_to(sandbox, "auth_token")
    assert (call["status"], call["app_id"]) == (200, APP_ID)


def test_fetch_token_always_asks_for_a_new_token_and_deletions_use_the_latest(client, sandbox):
    client.fetch_token()
    client.fetch_token()

    delete_alice(client)

    assert statuses_of(sandbox, "auth_token") == [200, 200]
    assert statuses_of(sandbox, "user_deletion") == [201]


@pytest.mark.parametrize(
    ("app_id", "api_key"),
    [
        pytest.param(APP_ID, "wrong-api-key", id="wrong api_key"),
        pytest.param("9999999999", API_KEY, id="an environment id that is no account"),
        pytest.param(OTHER_APP_ID, API_KEY, id="another account's app_id"),
    ],
)
def test_bad_credentials_are_a_permanent_auth_error(make_client, sandbox, app_id, api_key):
    client = make_client(app_id=app_id, api_key=api_key)

    with pytest.raises(HeapAuthError) as caught:
        client.fetch_token()

    error = caught.value
    assert (error.status_code, error.permanent, error.maybe_processed) == (401, True, False)
    assert error.message == "Unauthorized: Invalid app_id or api_key"
    assert statuses_of(sandbox, "auth_token") == [401]


def test_a_deletion_with_bad_credentials_never_reaches_user_deletion(make_client, sandbox):
    client = make_client(api_key="wrong-api-key")

    with pytest.raises(HeapAuthError) as caught:
        delete_alice(client)

    assert caught.value.maybe_processed is False
    assert statuses_of(sandbox, "auth_token") == [401]
    assert calls_to(sandbox, "user_deletion") == []
    assert sandbox.deletions() == []


def test_one_token_serves_many_deletions_within_its_lifetime(client, sandbox, clock):
    for _ in range(3):
        receipt = delete_alice(client)
        client.deletion_status(receipt.deletion_request_id)
        clock.advance(60)

    client.deletion_status(receipt.deletion_request_id)

    assert statuses_of(sandbox, "auth_token") == [200]
    assert statuses_of(sandbox, "user_deletion") == [201, 201, 201]
    assert statuses_of(sandbox, "deletion_status") == [200, 200, 200, 200]


@pytest.mark.parametrize(
    "seconds",
    [
        pytest.param(TOKEN_TTL - 30, id="within the 30 s margin"),
        pytest.param(TOKEN_TTL + 1, id="past the TTL"),
        pytest.param(86_400, id="a day later"),
    ],
)
def test_a_token_at_the_end_of_its_lifetime_is_replaced_before_it_is_refused(
    client, sandbox, clock, seconds
):
    delete_alice(client)
    clock.advance(seconds)

    delete_alice(client)

    assert statuses_of(sandbox, "auth_token") == [200, 200]
    assert statuses_of(sandbox, "user_deletion") == [201, 201]


def test_the_token_is_kept_until_the_refresh_margin(client, sandbox, clock):
    delete_alice(client)
    clock.advance(TOKEN_TTL - 31)

    delete_alice(client)

    assert statuses_of(sandbox, "auth_token") == [200]


def token_dies_early(client: HeapClient, sandbox: Sandbox, clock: SandboxTime) -> None:
    """A token_ttl fault: the token dies after 2 s though it is advertised for 300 s."""
    sandbox.add_fault({"token_ttl": 2, "times": 1})
    client.fetch_token()
    clock.advance(3)


def sandbox_clock_runs_ahead(client: HeapClient, sandbox: Sandbox, clock: SandboxTime) -> None:
    """The client's clock lags behind Heap's: only the sandbox moves past the TTL."""
    client.fetch_token()
    sandbox.advance(TOKEN_TTL + 1)


@pytest.mark.parametrize("expire", [token_dies_early, sandbox_clock_runs_ahead])
def test_a_refused_token_is_replaced_once_and_the_call_succeeds(client, sandbox, clock, expire):
    expire(client, sandbox, clock)

    receipt = delete_alice(client)

    assert receipt.status == "pending"
    assert statuses_of(sandbox, "auth_token") == [200, 200]
    assert statuses_of(sandbox, "user_deletion") == [401, 201]
    assert len(sandbox.deletions()) == 1


def test_a_refused_token_on_a_status_poll_is_replaced_once(client, sandbox, clock):
    receipt = delete_alice(client)
    sandbox.add_fault({"path": "deletion_status", "status": 401, "times": 1})

    status = client.deletion_status(receipt.deletion_request_id)

    assert status.status == "pending"
    assert statuses_of(sandbox, "auth_token") == [200, 200]
    assert statuses_of(sandbox, "deletion_status") == [401, 200]


def test_a_token_refused_twice_is_a_permanent_auth_error(client, sandbox):
    sandbox.add_fault({"path": "user_deletion", "status": 401, "times": 2})

    with pytest.raises(HeapAuthError) as caught:
        delete_alice(client)

    error = caught.value
    assert (error.status_code, error.permanent, error.maybe_processed) == (401, True, False)
    assert statuses_of(sandbox, "auth_token") == [200, 200]
    assert statuses_of(sandbox, "user_deletion") == [401, 401]
    assert sandbox.deletions() == []


# user_deletion


def test_an_accepted_deletion_returns_the_receipt_of_the_201(client, sandbox, wiretap):
    users = [{"identity": ALICE}, {"user_id": 123}, {"user_id": "456"}]

    receipt = client.delete_users(users)

    [deletion] = sandbox.deletions()
    [exchange] = wiretap.on(DELETION_PATH)
    assert receipt.deletion_request_id == deletion["id"]
    assert receipt.status == "pending"
    assert receipt.location == (
        f"{sandbox.url}/api/public/v0/deletion_status/{receipt.deletion_request_id}"
    )
    assert receipt.http_status == 201
    assert receipt.response_sha256 == hashlib.sha256(exchange.received).hexdigest()
    assert exchange.sent == encode_deletion_request(users)
    assert deletion["users"] == [{"identity": ALICE}, {"user_id": 123}, {"user_id": 456}]


def test_ten_thousand_users_are_accepted_in_one_request_and_polled_to_complete(
    client, sandbox, clock
):
    users = [{"user_id": n} for n in range(5000)] + [
        {"identity": f"user-{n}@example.com"} for n in range(5000)
    ]

    receipt = client.delete_users(users)
    seen = []
    for _ in range(10):
        status = client.deletion_status(receipt.deletion_request_id)
        seen.append(status.status)
        if status.is_complete:
            break
        clock.advance(COMPLETE_AFTER / 4)

    assert seen == ["pending"] * 4 + ["complete"]
    assert status.is_documented
    [deletion] = sandbox.deletions()
    assert deletion["users"] == users
    assert deletion["status"] == "complete"
    assert calls_to(sandbox, "user_deletion")[0]["users"] == 10_000
    # Each poll cycle after an advance (900 s > the TTL) fetched a token before it was refused.
    assert statuses_of(sandbox, "auth_token") == [200] * 5
    assert set(statuses_of(sandbox, "deletion_status")) == {200}


def test_identities_are_sent_for_deletion_byte_for_byte(client, sandbox, wiretap):
    users = [{"identity": identity} for identity in ODD_IDENTITIES]

    client.delete_users(users)

    [exchange] = wiretap.on(DELETION_PATH)
    assert exchange.sent == encode_deletion_request(users)
    for identity in ODD_IDENTITIES:
        assert json.dumps(identity, ensure_ascii=False).encode() in exchange.sent
    assert sandbox.deletions()[0]["users"] == users


# deletion_status


def test_a_new_deletion_is_pending_then_complete_after_the_delay(client, clock):
    receipt = delete_alice(client)

    pending = client.deletion_status(receipt.deletion_request_id)
    clock.advance(COMPLETE_AFTER)
    complete = client.deletion_status(receipt.deletion_request_id)

    assert (pending.status, pending.is_complete, pending.is_documented) == ("pending", False, True)
    assert (complete.status, complete.is_complete, complete.is_documented) == (
        "complete",
        True,
        True,
    )
    assert complete.deletion_request_id == receipt.deletion_request_id


def test_the_status_hash_is_of_the_raw_answer(client, wiretap):
    receipt = delete_alice(client)

    status = client.deletion_status(receipt.deletion_request_id)

    [exchange] = wiretap.on(f"/api/public/v0/deletion_status/{receipt.deletion_request_id}")
    assert status.response_sha256 == hashlib.sha256(exchange.received).hexdigest()


def test_an_unknown_deletion_request_is_not_found(client, sandbox):
    with pytest.raises(HeapNotFound) as caught:
        poll_unknown_id(client)

    error = caught.value
    assert (error.status_code, error.permanent, error.maybe_processed) == (404, True, False)
    assert error.message == "Not Found: Deletion request not found"
    assert statuses_of(sandbox, "auth_token") == [200]


def test_another_accounts_deletion_request_is_not_found(make_client, client, sandbox):
    other = make_client(app_id=OTHER_APP_ID, api_key=OTHER_API_KEY)
    theirs = delete_alice(other)

    with pytest.raises(HeapNotFound):
        client.deletion_status(theirs.deletion_request_id)

    assert other.deletion_status(theirs.deletion_request_id).status == "pending"
    assert statuses_of(sandbox, "deletion_status") == [404, 200]


@pytest.mark.parametrize(
    ("value", "is_complete", "is_documented"),
    [
        ("processing", False, False),
        ("completed", False, False),
        ("failed", False, False),
        ("COMPLETE", True, True),
        ("Pending", False, True),
    ],
)
def test_a_status_value_heap_does_not_document_is_kept_verbatim(
    client, sandbox, value, is_complete, is_documented
):
    receipt = delete_alice(client)
    sandbox.add_fault({"deletion_status_value": value, "times": 1})

    odd = client.deletion_status(receipt.deletion_request_id)
    after = client.deletion_status(receipt.deletion_request_id)

    assert (odd.status, odd.is_complete, odd.is_documented) == (value, is_complete, is_documented)
    assert after.status == "pending"


# Error bodies, and how each failure is classified


@pytest.mark.parametrize(
    ("style", "body", "message"),
    [
        pytest.param(
            None,
            {"error": "Not Found", "message": "Deletion request not found"},
            "Not Found: Deletion request not found",
            id="default",
        ),
        pytest.param(
            "error_symbol",
            {"error": "Not Found", "message": "Deletion request not found"},
            "Not Found: Deletion request not found",
            id="error_symbol",
        ),
        pytest.param(
            "err_object",
            {"err": {"message": "Deletion request not found"}},
            "Deletion request not found",
            id="err_object",
        ),
        pytest.param(
            "err_string",
            {"err": "Deletion request not found"},
            "Deletion request not found",
            id="err_string",
        ),
    ],
)
def test_every_documented_error_body_shape_is_parsed_into_the_message(
    client, sandbox, style, body, message
):
    if style:
        sandbox.add_fault({"error_style": style, "path": "deletion_status", "times": 1})

    with pytest.raises(HeapNotFound) as caught:
        poll_unknown_id(client)

    assert caught.value.message == message
    assert json.loads(caught.value.body) == body


@pytest.mark.parametrize(
    ("style", "message"),
    [
        ("error_symbol", "Unauthorized: Invalid app_id or api_key"),
        ("err_object", "Invalid app_id or api_key"),
        ("err_string", "Invalid app_id or api_key"),
    ],
)
def test_a_refused_token_request_is_parsed_in_every_body_shape(
    make_client, sandbox, style, message
):
    sandbox.add_fault({"error_style": style, "path": "auth_token"})

    with pytest.raises(HeapAuthError) as caught:
        make_client(api_key="wrong-api-key").fetch_token()

    assert caught.value.message == message


def test_a_plain_text_error_page_becomes_the_message(client, sandbox):
    page = "<html>Bad Gateway</html>"
    sandbox.add_fault({"path": "user_deletion", "status": 502, "body": page, "times": 1})

    with pytest.raises(HeapServerError) as caught:
        delete_alice(client)

    assert (caught.value.message, caught.value.body) == (page, page)


@pytest.mark.parametrize(
    ("path", "call"),
    [
        pytest.param("user_deletion", lambda client, _: delete_alice(client), id="delete_users"),
        pytest.param(
            "deletion_status",
            lambda client, receipt: client.deletion_status(receipt.deletion_request_id),
            id="deletion_status",
        ),
    ],
)
def test_a_429_is_rate_limited_with_its_retry_after(client, sandbox, path, call):
    receipt = delete_alice(client)
    sandbox.add_fault({"path": path, "status": 429, "retry_after": 7, "times": 1})

    with pytest.raises(HeapRateLimited) as caught:
        call(client, receipt)

    error = caught.value
    assert (error.status_code, error.retry_after) == (429, 7.0)
    assert (error.permanent, error.maybe_processed) == (False, False)
    assert len(sandbox.deletions()) == 1


@pytest.mark.parametrize(
    ("path", "call", "maybe_processed"),
    [
        pytest.param("user_deletion", delete_alice, True, id="delete_users"),
        pytest.param("deletion_status", poll_unknown_id, False, id="deletion_status"),
        pytest.param("track", track_alice, True, id="track"),
        pytest.param("add_account_properties", set_acme_plan, True, id="add_account_properties"),
    ],
)
@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_is_a_transient_server_error_maybe_processed_for_a_post(
    client, sandbox, path, call, maybe_processed, status
):
    sandbox.add_fault({"path": path, "status": status, "times": 1})

    with pytest.raises(HeapServerError) as caught:
        call(client)

    error = caught.value
    assert (error.status_code, error.permanent) == (status, False)
    assert error.maybe_processed is maybe_processed
    assert error.message.endswith("Injected fault")


def test_a_503_keeps_its_retry_after(client, sandbox):
    sandbox.add_fault({"path": "user_deletion", "status": 503, "retry_after": 120, "times": 1})

    with pytest.raises(HeapServerError) as caught:
        delete_alice(client)

    assert caught.value.retry_after == 120.0


@pytest.mark.parametrize("status", [400, 403, 405, 413, 422])
def test_any_other_4xx_is_a_permanent_bad_request(client, sandbox, status):
    sandbox.add_fault({"path": "user_deletion", "status": status, "times": 1})

    with pytest.raises(HeapBadRequest) as caught:
        delete_alice(client)

    error = caught.value
    assert (error.status_code, error.permanent, error.maybe_processed) == (status, True, False)
    assert error.message.endswith("Injected fault")


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"status": 500}, id="5xx"),
        pytest.param({"hang": True, "hang_seconds": 5}, id="hang"),
    ],
)
def test_a_failed_token_fetch_is_never_maybe_processed(make_client, sandbox, fault):
    sandbox.add_fault({"path": "auth_token", "times": 1, **fault})

    with pytest.raises(HeapError) as caught:
        delete_alice(make_client(timeout=(1, 0.2)))

    assert isinstance(caught.value, HeapServerError | HeapTimeout)
    assert (caught.value.permanent, caught.value.maybe_processed) == (False, False)
    assert calls_to(sandbox, "user_deletion") == []


@pytest.mark.parametrize(
    ("path", "call", "maybe_processed"),
    [
        pytest.param("user_deletion", delete_alice, True, id="delete_users"),
        pytest.param("deletion_status", poll_unknown_id, False, id="deletion_status"),
        pytest.param("track", track_alice, True, id="track"),
    ],
)
@pytest.mark.parametrize(
    ("hang_seconds", "read_timeout"),
    [
        pytest.param(5, 0.2, id="read timeout"),
        pytest.param(0.05, 5, id="closed without an answer"),
    ],
)
def test_a_call_left_unanswered_is_a_timeout_maybe_processed_for_a_post(
    make_client, sandbox, path, call, maybe_processed, hang_seconds, read_timeout
):
    client = make_client(timeout=(1, read_timeout))
    client.fetch_token()
    sandbox.add_fault({"path": path, "hang": True, "hang_seconds": hang_seconds, "times": 1})

    with pytest.raises(HeapTimeout) as caught:
        call(client)

    error = caught.value
    assert (error.status_code, error.permanent) == (None, False)
    assert error.maybe_processed is maybe_processed
    assert calls_to(sandbox, path)[-1]["faults"] == ["hang"]


@pytest.mark.parametrize(
    ("fault", "error_class"),
    [
        pytest.param({"status": 500}, HeapServerError, id="5xx"),
        pytest.param({"hang": True, "hang_seconds": 5}, HeapTimeout, id="hang"),
    ],
)
def test_maybe_processed_is_true_when_heap_did_act(make_client, sandbox, fault, error_class):
    client = make_client(timeout=(1, 0.2))
    sandbox.add_fault({"path": "user_deletion", "after_processing": True, "times": 1, **fault})

    with pytest.raises(error_class) as caught:
        delete_alice(client)

    assert caught.value.maybe_processed is True
    assert [deletion["users"] for deletion in sandbox.deletions()] == [[{"identity": ALICE}]]


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda client: client.fetch_token(), id="fetch_token"),
        pytest.param(delete_alice, id="delete_users"),
        pytest.param(poll_unknown_id, id="deletion_status"),
        pytest.param(track_alice, id="track"),
        pytest.param(set_acme_plan, id="add_account_properties"),
    ],
)
def test_a_refused_connection_is_a_connection_error_never_processed(make_client, call):
    url = f"http://127.0.0.1:{closed_port()}"
    client = make_client(deletion_base_url=url, ingestion_base_url=url)

    with pytest.raises(HeapConnectionError) as caught:
        call(client)

    error = caught.value
    assert (error.status_code, error.permanent, error.maybe_processed) == (None, False, False)


def test_a_deletion_sent_after_the_sandbox_stopped_is_refused_and_not_recorded(client, sandbox):
    delete_alice(client)
    sandbox.stop()

    with pytest.raises(HeapConnectionError) as caught:
        delete_alice(client)

    assert caught.value.maybe_processed is False
    assert len(sandbox.deletions()) == 1


# Ingestion

ISO_NOON = "2026-01-01T12:00:00+00:00"

INGESTION_CASES = [
    pytest.param(
        lambda client: client.track(
            "Signed up",
            identity=ALICE,
            properties={"plan": "pro", "seats": 3, "tags": ["a", "b"]},
            timestamp=ISO_NOON,
            idempotency_key="signup-alice",
            session_id="s-1",
        ),
        "events",
        [
            {
                "event": "Signed up",
                "identity": ALICE,
                "properties": {"plan": "pro", "seats": 3, "tags": "a||b"},
                "timestamp": ISO_NOON,
                "idempotency_key": "signup-alice",
                "session_id": "s-1",
            }
        ],
        id="track",
    ),
    pytest.param(
        lambda client: client.track(
            "Logged in", user_id=123, timestamp=datetime(2026, 1, 1, 12, tzinfo=UTC)
        ),
        "events",
        [{"event": "Logged in", "user_id": 123, "timestamp": ISO_NOON}],
        id="track by user_id",
    ),
    pytest.param(
        lambda client: client.track_bulk(
            [
                {"event": "Viewed", "identity": ALICE, "properties": {"page": "/a"}},
                {"event": "Viewed", "user_id": "42", "idempotency_key": "view-42"},
            ]
        ),
        "events",
        [
            {"event": "Viewed", "identity": ALICE, "properties": {"page": "/a"}},
            {"event": "Viewed", "user_id": 42, "idempotency_key": "view-42"},
        ],
        id="track_bulk",
    ),
    pytest.param(
        lambda client: client.identify(user_id=42, identity=ALICE, timestamp=ISO_NOON),
        "identify",
        {"42": ALICE},
        id="identify",
    ),
    pytest.param(
        lambda client: client.add_user_properties(
            identity=ALICE, properties={"email": ALICE, "score": 9.5}
        ),
        "users",
        {ALICE: {"email": ALICE, "score": 9.5}},
        id="add_user_properties",
    ),
    pytest.param(
        lambda client: client.add_user_properties_bulk(
            [
                {"identity": ALICE, "properties": {"plan": "pro"}},
                {"identity": BOB, "properties": {"plan": "free", "roles": ["x", 1]}},
            ]
        ),
        "users",
        {ALICE: {"plan": "pro"}, BOB: {"plan": "free", "roles": "x||1"}},
        id="add_user_properties_bulk",
    ),
    pytest.param(
        lambda client: client.add_account_properties(
            account_id="acme", properties={"tier": "gold", "seats": 40}
        ),
        "accounts",
        {"acme": {"tier": "gold", "seats": 40}},
        id="add_account_properties",
    ),
    pytest.param(
        lambda client: client.add_account_properties_bulk(
            [
                {"account_id": "acme", "properties": {"tier": "gold"}},
                {"account_id": "globex", "properties": {}},
            ]
        ),
        "accounts",
        {"acme": {"tier": "gold"}, "globex": {}},
        id="add_account_properties_bulk",
    ),
]


@pytest.mark.parametrize(("call", "kind", "stored"), INGESTION_CASES)
def test_each_ingestion_call_stores_what_it_sent(client, sandbox, call, kind, stored):
    assert call(client) is None

    assert sandbox.data(APP_ID)[kind] == stored
    [received] = sandbox.calls()
    assert (received["status"], received["app_id"]) == (200, APP_ID)


def test_the_stored_data_reads_the_same_over_the_inspection_endpoint(client, sandbox):
    client.add_account_properties(account_id="acme", properties={"tier": "gold"})

    response = requests.get(f"{sandbox.url}/_sandbox/data", params={"app_id": APP_ID}, timeout=5)

    assert response.json() == sandbox.data(APP_ID)
    assert response.json()["accounts"] == {"acme": {"tier": "gold"}}


def test_user_properties_merge_and_the_later_value_wins(client, sandbox):
    client.add_user_properties(identity=ALICE, properties={"plan": "free", "seats": 1})
    client.add_user_properties(identity=ALICE, properties={"plan": "pro"})

    assert sandbox.data(APP_ID)["users"] == {ALICE: {"plan": "pro", "seats": 1}}


def test_a_later_identify_of_the_same_user_id_is_dropped(client, sandbox):
    client.identify(user_id=42, identity=ALICE)
    client.identify(user_id=42, identity=BOB)

    assert sandbox.data(APP_ID)["identify"] == {"42": ALICE}


def test_an_unknown_app_id_is_accepted_silently(make_client, sandbox):
    make_client(app_id="777", api_key=None).track("Signed up", identity=ALICE)

    assert sandbox.data("777")["events"] == [{"event": "Signed up", "identity": ALICE}]
    assert sandbox.data(APP_ID)["events"] == []


PAID = {"event": "Paid", "identity": ALICE, "idempotency_key": "pay-1"}


@pytest.mark.parametrize(
    "send_twice",
    [
        pytest.param(
            lambda client: [
                client.track("Paid", identity=ALICE, idempotency_key="pay-1") for _ in range(2)
            ],
            id="two single calls",
        ),
        pytest.param(
            lambda client: client.track_bulk([PAID, PAID]),
            id="within one bulk call",
        ),
        pytest.param(
            lambda client: [client.track_bulk([PAID]) for _ in range(2)],
            id="two bulk calls",
        ),
    ],
)
def test_a_repeated_idempotency_key_stores_one_event(client, sandbox, send_twice):
    send_twice(client)

    assert sandbox.data(APP_ID)["events"] == [PAID]
    assert set(statuses_of(sandbox, "track")) == {200}


def test_different_idempotency_keys_store_both_events(client, sandbox):
    client.track("Paid", identity=ALICE, idempotency_key="pay-1")
    client.track("Paid", identity=ALICE, idempotency_key="pay-2")

    assert len(sandbox.data(APP_ID)["events"]) == 2


def test_the_sandboxs_plain_text_400_becomes_the_message(client, sandbox):
    for user_id in range(10):
        client.identify(user_id=user_id, identity=ALICE)

    with pytest.raises(HeapBadRequest) as caught:
        client.identify(user_id=10, identity=ALICE)

    error = caught.value
    assert error.message == "postBody.identity already has 10 user_ids this month"
    assert error.body == error.message
    assert (error.status_code, error.permanent, error.maybe_processed) == (400, True, False)
    assert "10" not in sandbox.data(APP_ID)["identify"]


@pytest.mark.parametrize(
    ("path", "call", "fault_body", "message"),
    [
        pytest.param(
            "track",
            lambda client: client.track_bulk([{"event": "Viewed", "identity": ALICE}]),
            "postBody.events[0].properties should be object",
            "postBody.events[0].properties should be object",
            id="Heap's own text",
        ),
        pytest.param(
            "add_user_properties",
            lambda client: client.add_user_properties(identity=ALICE, properties={"a": 1}),
            None,
            "Injected fault",
            id="the sandbox's fault text",
        ),
    ],
)
def test_an_ingestion_400_surfaces_its_text(client, sandbox, path, call, fault_body, message):
    fault = {"path": path, "status": 400, "times": 1}
    sandbox.add_fault(fault if fault_body is None else {**fault, "body": fault_body})

    with pytest.raises(HeapBadRequest) as caught:
        call(client)

    assert caught.value.message == message


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(lambda client: client.track("Clicked", identity=ALICE), id="track"),
        pytest.param(
            lambda client: client.add_user_properties(identity=ALICE, properties={"n": 1}),
            id="add_user_properties",
        ),
    ],
)
def test_the_31st_call_for_an_identity_in_30_seconds_is_rate_limited(client, clock, send):
    for _ in range(30):
        send(client)

    with pytest.raises(HeapRateLimited) as caught:
        send(client)
    clock.advance(caught.value.retry_after)
    send(client)

    assert caught.value.retry_after == 30.0
    assert (caught.value.permanent, caught.value.maybe_processed) == (False, False)


def test_identities_are_ingested_byte_for_byte(client, sandbox):
    for user_id, identity in enumerate(ODD_IDENTITIES):
        client.track("Signed up", identity=identity)
        client.add_user_properties(identity=identity, properties={"n": user_id})
        client.identify(user_id=user_id, identity=identity)

    data = sandbox.data(APP_ID)
    assert [event["identity"] for event in data["events"]] == list(ODD_IDENTITIES)
    assert data["users"] == {identity: {"n": n} for n, identity in enumerate(ODD_IDENTITIES)}
    assert data["identify"] == {str(n): identity for n, identity in enumerate(ODD_IDENTITIES)}


# Deletion erases what ingestion stored


def store_three_users(client: HeapClient) -> None:
    """Alice by identity, Bob as user_id 42 identified as BOB, Carol who stays."""
    for identity in (ALICE, CAROL):
        client.track("Signed up", identity=identity)
        client.add_user_properties(identity=identity, properties={"plan": "pro"})
    client.identify(user_id=42, identity=BOB)
    client.track("Signed up", user_id=42)
    client.add_user_properties(identity=BOB, properties={"plan": "free"})
    client.add_account_properties(account_id="acme", properties={"tier": "gold"})


def test_a_completed_deletion_removes_the_deleted_users_data(client, sandbox, clock):
    store_three_users(client)
    receipt = client.delete_users([{"identity": ALICE}, {"user_id": 42}])
    before = sandbox.data(APP_ID)

    clock.advance(COMPLETE_AFTER)
    assert client.deletion_status(receipt.deletion_request_id).is_complete

    after = sandbox.data(APP_ID)
    assert len(before["events"]) == 3
    assert set(before["users"]) == {ALICE, BOB, CAROL}
    assert after["events"] == [{"event": "Signed up", "identity": CAROL}]
    assert after["users"] == {CAROL: {"plan": "pro"}}
    assert after["identify"] == {}
    assert after["accounts"] == {"acme": {"tier": "gold"}}


def test_a_deletion_erases_only_the_identity_spelled_exactly_as_sent(client, sandbox, clock):
    for identity in ("Alice@Example.com", *ODD_IDENTITIES):
        client.add_user_properties(identity=identity, properties={"seen": 1})

    receipt = client.delete_users([{"identity": "Alice@Example.com"}])
    clock.advance(COMPLETE_AFTER)

    assert client.deletion_status(receipt.deletion_request_id).is_complete
    assert list(sandbox.data(APP_ID)["users"]) == list(ODD_IDENTITIES)
