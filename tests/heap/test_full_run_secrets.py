"""A full session through the real client against the real sandbox, with canary credentials.

Tokens, deletions, status polls, every kind of failure (a token refused then replaced, a 500, a
404, a hang, a 429, bad credentials, a refused connection) and every ingestion call. Everything a
human or a log pipeline could see is collected: every log record at DEBUG of every logger (ours,
urllib3's, the sandbox's), urllib3's own stderr logger, the process's stdout and stderr, a child
sandbox's stderr, every result's and exception's str / repr / message / body / traceback, and the
sandbox's inspection endpoints. The api_key, its Basic form and every token the sandbox issued
(read off the wire, not from the client) must appear nowhere.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from base64 import b64encode
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import urllib3
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
)
from heapprivacy.sandbox import Sandbox, SandboxConfig, SandboxProcess

from .fakes import closed_port

APP_ID = "4242424242"
API_KEY = "canary-KEY-7f3a-9b1c"
WRONG_API_KEY = "canary-WRONG-KEY-0d2e"
BASIC = b64encode(f"{APP_ID}:{API_KEY}".encode()).decode()
WRONG_BASIC = b64encode(f"{APP_ID}:{WRONG_API_KEY}".encode()).decode()
CREDENTIALS = (API_KEY, WRONG_API_KEY, BASIC, WRONG_BASIC)
NOW = 1_767_225_600.0
COMPLETE_AFTER = 3600
AUTH_PATH = "/api/public/v0/auth_token"
USERS = [{"identity": "alice@example.com"}, {"user_id": 42}]
UNKNOWN_ID = "0b7e1f34-0000-4000-8000-000000000000"

# What each step of `full_session` must end in: proof that every path was really taken.
EXPECTED_OUTCOMES = [
    DeletionReceipt,  # first token, 201
    DeletionStatus,  # pending
    TokenInfo,  # a token that dies after 2 s
    DeletionReceipt,  # 401, one fresh token, 201
    HeapServerError,  # 500
    HeapNotFound,  # 404, {"err": {"message": …}}
    HeapTimeout,  # hang
    HeapAuthError,  # 401 twice, {"err": "…"}
    HeapRateLimited,  # 429 with Retry-After
    HeapServerError,  # 502 with an HTML page
    DeletionStatus,  # complete, past the TTL: a new token first
    HeapAuthError,  # fetch_token with the wrong api_key
    HeapAuthError,  # delete_users with the wrong api_key
    type(None),  # track
    type(None),  # track_bulk
    type(None),  # identify
    type(None),  # add_user_properties
    type(None),  # add_user_properties_bulk
    type(None),  # add_account_properties
    type(None),  # add_account_properties_bulk
    HeapBadRequest,  # track: 400 plain text
    HeapServerError,  # identify: 503
    HeapTimeout,  # add_user_properties: hang
    HeapConnectionError,  # nobody listening
]


class Control:
    """The sandbox's `/_sandbox/` endpoints over HTTP; also the client's clock, which follows
    the sandbox's (`source` plus everything advanced)."""

    def __init__(self, url: str, source: Callable[[], float]) -> None:
        self.url = url
        self._source = source
        self._advanced = 0.0

    def __call__(self) -> float:
        return self._source() + self._advanced

    def advance(self, seconds: float) -> None:
        response = requests.post(
            f"{self.url}/_sandbox/advance", json={"seconds": seconds}, timeout=5
        )
        assert response.status_code == 200, response.text
        self._advanced += seconds

    def add_fault(self, spec: dict[str, Any]) -> None:
        response = requests.post(f"{self.url}/_sandbox/faults", json=spec, timeout=5)
        assert response.status_code == 201, response.text

    def inspect(self, path: str) -> str:
        return requests.get(f"{self.url}/_sandbox/{path}", timeout=5).text

    def everything(self) -> list[str]:
        paths = ("calls", "deletions", f"data?app_id={APP_ID}", "faults", "config")
        return [self.inspect(path) for path in paths]

    def auth_token_calls(self) -> int:
        calls = json.loads(self.inspect("calls"))["calls"]
        return sum(call["name"] == "auth_token" and call["status"] == 200 for call in calls)


@dataclass(frozen=True)
class Exchange:
    path: str
    headers: str
    status: int
    received: bytes


class Wiretap:
    """Every exchange at requests' transport adapter: what was sent, what came back."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def issued_tokens(self) -> list[str]:
        """Every access_token an auth_token answer carried."""
        answers = [x for x in self.exchanges if x.path == AUTH_PATH and x.status == 200]
        return [json.loads(answer.received)["access_token"] for answer in answers]

    def headers_sent(self) -> str:
        return "\n".join(exchange.headers for exchange in self.exchanges)


@pytest.fixture
def wiretap(monkeypatch: pytest.MonkeyPatch) -> Wiretap:
    tap = Wiretap()
    send = HTTPAdapter.send

    def recording_send(
        adapter: HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        response = send(adapter, request, **kwargs)
        exchange = Exchange(
            request.path_url, repr(request.headers), response.status_code, response.content
        )
        tap.exchanges.append(exchange)
        return response

    monkeypatch.setattr(HTTPAdapter, "send", recording_send)
    return tap


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG, into caplog."""
    caplog.set_level(logging.DEBUG)
    for name in ("heapprivacy", "heapprivacy.heap", "heapprivacy.sandbox", "urllib3", "requests"):
        caplog.set_level(logging.DEBUG, logger=name)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@contextmanager
def urllib3_debug_on_stderr() -> Iterator[None]:
    """urllib3's own debug logging switched on, as an operator would to trace a call."""
    handler = urllib3.add_stderr_logger(logging.DEBUG)
    try:
        yield
    finally:
        logging.getLogger("urllib3").removeHandler(handler)


def no_wall_sleep(seconds: float) -> None:
    raise AssertionError(f"the client waited {seconds} s of wall time")


def make_client(url: str, clock: Control, api_key: str = API_KEY) -> HeapClient:
    return HeapClient(
        app_id=APP_ID,
        api_key=api_key,
        deletion_base_url=url,
        ingestion_base_url=url,
        timeout=(1, 0.3),
        clock=clock,
        sleep=no_wall_sleep,
    )


def full_session(url: str, control: Control) -> tuple[list[object], list[HeapClient]]:
    """Run every step; the outcomes (results or HeapErrors) and the clients used."""
    client = make_client(url, control)
    wrong = make_client(url, control, WRONG_API_KEY)
    nobody = make_client(f"http://127.0.0.1:{closed_port()}", control)
    outcomes: list[object] = []

    def run(call: Callable[[], object]) -> Any:
        try:
            outcomes.append(call())
        except HeapError as error:
            outcomes.append(error)
        return outcomes[-1]

    def fault(**spec: Any) -> None:
        control.add_fault({"times": 1, **spec})

    receipt = run(lambda: client.delete_users(USERS))
    run(lambda: client.deletion_status(receipt.deletion_request_id))
    fault(token_ttl=2)
    run(client.fetch_token)
    control.advance(3)
    run(lambda: client.delete_users(USERS))
    fault(path="user_deletion", status=500)
    run(lambda: client.delete_users(USERS))
    fault(error_style="err_object")
    run(lambda: client.deletion_status(UNKNOWN_ID))
    fault(path="deletion_status", hang=True, hang_seconds=2)
    run(lambda: client.deletion_status(receipt.deletion_request_id))
    control.add_fault({"path": "user_deletion", "status": 401, "times": 2})
    control.add_fault({"error_style": "err_string", "times": 2})
    run(lambda: client.delete_users(USERS))
    fault(path="user_deletion", status=429, retry_after=5)
    run(lambda: client.delete_users(USERS))
    fault(path="user_deletion", status=502, body="<html>Bad Gateway</html>")
    run(lambda: client.delete_users(USERS))
    control.advance(COMPLETE_AFTER)
    run(lambda: client.deletion_status(receipt.deletion_request_id))
    run(wrong.fetch_token)
    run(lambda: wrong.delete_users(USERS))
    run_ingestion(client, run)
    fault(path="track", status=400, body="postBody.events[0].properties should be object")
    run(lambda: client.track_bulk([{"event": "Viewed", "identity": "alice@example.com"}]))
    fault(path="identify", status=503, retry_after=30)
    run(lambda: client.identify(user_id=7, identity="carol@example.com"))
    fault(path="add_user_properties", hang=True, hang_seconds=2)
    run(lambda: client.add_user_properties(identity="alice@example.com", properties={"a": 1}))
    run(nobody.fetch_token)
    return outcomes, [client, wrong, nobody]


def run_ingestion(client: HeapClient, run: Callable[[Callable[[], object]], object]) -> None:
    alice = "alice@example.com"
    run(lambda: client.track("Signed up", identity=alice, properties={"plan": "pro"}))
    run(lambda: client.track_bulk([{"event": "Viewed", "user_id": "42", "idempotency_key": "v"}]))
    run(lambda: client.identify(user_id=42, identity="bob@example.com"))
    run(lambda: client.add_user_properties(identity=alice, properties={"email": alice}))
    run(lambda: client.add_user_properties_bulk([{"identity": alice, "properties": {"n": 1}}]))
    run(lambda: client.add_account_properties(account_id="acme", properties={"tier": "gold"}))
    run(lambda: client.add_account_properties_bulk([{"account_id": "x", "properties": {}}]))


def texts_of(outcome: object) -> list[str]:
    texts = [str(outcome), repr(outcome)]
    if isinstance(outcome, HeapError):
        texts += [outcome.message, outcome.body, repr(vars(outcome))]
        texts.append("".join(traceback.format_exception(outcome)))
    return texts


def log_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    texts = [caplog.text]
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.args), record.exc_text or "", repr(record.msg)]
    return texts


def leaks(texts: list[str], secrets: list[str]) -> list[tuple[str, str]]:
    """Each (secret, text excerpt) where a secret shows up."""
    return [(secret, text[:200]) for text in texts for secret in secrets if secret in text]


def assert_the_session_was_complete(
    outcomes: list[object], wiretap: Wiretap, control: Control
) -> list[str]:
    assert [type(outcome) for outcome in outcomes] == EXPECTED_OUTCOMES
    tokens = wiretap.issued_tokens()
    # The first, the one dying early, its replacement, one for the 401 twice, one past the TTL.
    assert len(set(tokens)) == len(tokens) == control.auth_token_calls() == 5
    sent = wiretap.headers_sent()
    # The canaries are real: each did go over the wire, where it belongs.
    assert all(secret in sent for secret in (BASIC, WRONG_BASIC, *tokens))
    return tokens


def test_an_in_process_session_shows_no_credential_anywhere(capfd, debug_logs, wiretap):
    config = SandboxConfig(
        accounts={APP_ID: API_KEY}, complete_after=COMPLETE_AFTER, clock=lambda: NOW
    )
    with urllib3_debug_on_stderr(), Sandbox(config) as sandbox:
        control = Control(sandbox.url, lambda: NOW)
        outcomes, clients = full_session(sandbox.url, control)
        tokens = assert_the_session_was_complete(outcomes, wiretap, control)
        inspection = control.everything()
        reprs = [repr(sandbox.config), repr(sandbox.state), *map(repr, clients)]
        for client in clients:
            client.close()
    output = capfd.readouterr()

    loggers = {record.name for record in debug_logs.records}
    assert {"heapprivacy.heap", "heapprivacy.sandbox", "urllib3.connectionpool"} <= loggers
    assert any(
        (record.name, record.levelno) == ("heapprivacy.heap", logging.DEBUG)
        for record in debug_logs.records
    )
    assert "Starting new HTTP connection" in output.err
    texts = [
        *(text for outcome in outcomes for text in texts_of(outcome)),
        *log_texts(debug_logs),
        output.out,
        output.err,
        *inspection,
        *reprs,
    ]
    assert leaks(texts, [*CREDENTIALS, *tokens]) == []


@pytest.mark.integration
def test_a_sandbox_process_session_shows_no_credential_in_its_output(
    capfd, debug_logs, wiretap, tmp_path: Path
):
    stderr_path = tmp_path / "sandbox.stderr"
    account = f"{APP_ID}:{API_KEY}"
    with stderr_path.open("w") as stderr:
        process = SandboxProcess(
            "--account", account, "--complete-after", str(COMPLETE_AFTER), stderr=stderr
        )
        with urllib3_debug_on_stderr(), process:
            control = Control(process.url, time.time)
            outcomes, clients = full_session(process.url, control)
            tokens = assert_the_session_was_complete(outcomes, wiretap, control)
            inspection = control.everything()
            for client in clients:
                client.close()
    sandbox_log = stderr_path.read_text()
    output = capfd.readouterr()

    assert "Starting new HTTP connection" in output.err
    assert "POST /api/public/v0/user_deletion 201" in sandbox_log
    assert "GET /api/public/v0/deletion_status/" in sandbox_log
    texts = [
        sandbox_log,
        *process.output,
        *(text for outcome in outcomes for text in texts_of(outcome)),
        *log_texts(debug_logs),
        output.out,
        output.err,
        *inspection,
    ]
    assert leaks(texts, [*CREDENTIALS, *tokens]) == []
