"""A full run against a loopback Heap with canary credentials: they must surface nowhere.

The loopback Heap echoes the request headers into its error bodies, the worst a server can do,
so the redaction of bodies is exercised too.
"""

from __future__ import annotations

import logging
import traceback
from base64 import b64encode
from collections.abc import Callable, Iterator

import pytest

from heapprivacy.heap import HeapClient, HeapError

from .fakes import APP_ID, HANG, LoopbackHeap, Reply, closed_port

API_KEY = "canary-KEY-7f3a"
TOKEN = "canary-TOKEN-c41e"
FRESH_TOKEN = "canary-TOKEN-2d9b"
BASIC = b64encode(f"{APP_ID}:{API_KEY}".encode()).decode()
CANARIES = (API_KEY, TOKEN, FRESH_TOKEN, BASIC)
REQUEST_ID = "r-canary"
DELETED = {"deletion_request_id": REQUEST_ID, "status": "pending", "deletion_request_location": "x"}

SCRIPT = [
    Reply(200, {"access_token": TOKEN, "expires_in": 300}),  # fetch_token
    Reply(401, echo=True),  # delete_users: refused token...
    Reply(200, {"access_token": FRESH_TOKEN}),  # ...one fresh token...
    Reply(201, DELETED),  # ...and the retry is accepted
    Reply(200, {"deletion_request_id": REQUEST_ID, "status": "complete"}),
    Reply(503, echo=True),  # deletion_status
    Reply(429, echo=True, headers={"Retry-After": "5"}),  # delete_users
    HANG,  # delete_users: read timeout
    Reply(401, echo=True),  # deletion_status: refused token...
    Reply(401, echo=True),  # ...and auth_token refuses the credentials
    Reply(200, {}),  # track
    Reply(400, "postBody.events[0].properties should be object"),  # track_bulk
    Reply(200, {}),  # identify
    Reply(200, {}),  # add_user_properties
    Reply(200, {}),  # add_user_properties_bulk
    Reply(200, "OK"),  # add_account_properties
    Reply(200, "OK"),  # add_account_properties_bulk
]


@pytest.fixture
def loopback() -> Iterator[LoopbackHeap]:
    server = LoopbackHeap().start()
    yield server
    server.stop()


def outcome(call: Callable[[], object]) -> object:
    try:
        return call()
    except HeapError as error:
        return error


def full_run(client: HeapClient) -> list[object]:
    one_user = [{"identity": "alice@example.com"}]
    calls = [
        client.fetch_token,
        lambda: client.delete_users(one_user),
        lambda: client.deletion_status(REQUEST_ID),
        lambda: client.deletion_status(REQUEST_ID),
        lambda: client.delete_users(one_user),
        lambda: client.delete_users(one_user),
        lambda: client.deletion_status(REQUEST_ID),
        lambda: client.track("Signed up", identity="alice@example.com"),
        lambda: client.track_bulk([{"event": "Viewed", "user_id": "1"}]),
        lambda: client.identify(user_id="1", identity="alice@example.com"),
        lambda: client.add_user_properties(identity="alice@example.com", properties={"a": 1}),
        lambda: client.add_user_properties_bulk([{"identity": "a", "properties": {"b": 2}}]),
        lambda: client.add_account_properties(account_id="acme", properties={"c": 3}),
        lambda: client.add_account_properties_bulk([{"account_id": "x", "properties": {}}]),
    ]
    return [outcome(call) for call in calls]


def texts_of(result: object) -> list[str]:
    texts = [str(result), repr(result)]
    if isinstance(result, HeapError):
        texts += [result.message, result.body, "".join(traceback.format_exception(result))]
    return texts


def assert_no_canary(texts: list[str]) -> None:
    for text in texts:
        for canary in CANARIES:
            assert canary not in text


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="urllib3")
    caplog.set_level(logging.DEBUG, logger="heapprivacy.heap")
    return caplog


def test_no_credential_appears_in_logs_errors_or_reprs(loopback, debug_logs, capsys):
    loopback.script.extend(SCRIPT)
    client = HeapClient(
        app_id=APP_ID,
        api_key=API_KEY,
        deletion_base_url=loopback.url,
        ingestion_base_url=loopback.url,
        timeout=(1, 0.2),
    )

    results = full_run(client)

    errors = [result for result in results if isinstance(result, HeapError)]
    assert len(errors) == 5
    sent_headers = " ".join(str(request.headers) for request in loopback.received)
    assert all(canary in sent_headers for canary in (TOKEN, FRESH_TOKEN, BASIC))
    assert any(record.name.startswith("urllib3") for record in debug_logs.records)
    assert any("[redacted]" in error.body for error in errors)
    records = [(r.getMessage(), repr(r.args), r.exc_text or "") for r in debug_logs.records]
    output = capsys.readouterr()
    assert_no_canary(
        [text for result in results for text in texts_of(result)]
        + [text for record in records for text in record]
        + [debug_logs.text, output.out, output.err, repr(client)]
    )


def test_a_token_heap_sends_in_a_malformed_answer_is_not_kept(loopback, debug_logs):
    loopback.script.append(Reply(200, {"access_token": f"{TOKEN} with spaces"}))
    client = HeapClient(app_id=APP_ID, api_key=API_KEY, deletion_base_url=loopback.url)

    error = outcome(client.fetch_token)

    assert isinstance(error, HeapError)
    assert_no_canary([*texts_of(error), debug_logs.text])


def test_a_connection_failure_reveals_no_credential(debug_logs):
    url = f"http://127.0.0.1:{closed_port()}"
    client = HeapClient(app_id=APP_ID, api_key=API_KEY, deletion_base_url=url)

    error = outcome(client.fetch_token)

    assert isinstance(error, HeapError)
    assert_no_canary([*texts_of(error), debug_logs.text])
