"""The classification table: each status code and transport failure → class and retry flags."""

from __future__ import annotations

import email.utils
import pickle
import socket
from collections.abc import Callable

import pytest
import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.exceptions import SSLError as Urllib3SSLError

from heapprivacy.heap import (
    HeapAuthError,
    HeapBadRequest,
    HeapClient,
    HeapConnectionError,
    HeapError,
    HeapNotFound,
    HeapProtocolError,
    HeapRateLimited,
    HeapServerError,
    HeapTimeout,
    HeapValidationError,
)

from .fakes import AUTH_URL, DELETION_URL, REQUEST_ID, STATUS_URL, US, FakeClock

CALLS = {
    "POST": (DELETION_URL, lambda client: client.delete_users([{"identity": "alice@example.com"}])),
    "GET": (STATUS_URL + REQUEST_ID, lambda client: client.deletion_status(REQUEST_ID)),
}

# status, Retry-After, class, permanent, maybe_processed when the call is a POST
STATUS_TABLE = [
    pytest.param(400, None, HeapBadRequest, True, False, id="400-bad-request"),
    pytest.param(401, None, HeapAuthError, True, False, id="401-unauthorized"),
    pytest.param(403, None, HeapBadRequest, True, False, id="403-forbidden"),
    pytest.param(404, None, HeapNotFound, True, False, id="404-not-found"),
    pytest.param(405, None, HeapBadRequest, True, False, id="405-method-not-allowed"),
    pytest.param(413, None, HeapBadRequest, True, False, id="413-too-large"),
    pytest.param(422, None, HeapBadRequest, True, False, id="422-unprocessable"),
    pytest.param(429, None, HeapRateLimited, False, False, id="429-without-retry-after"),
    pytest.param(429, "120", HeapRateLimited, False, False, id="429-with-retry-after"),
    pytest.param(500, None, HeapServerError, False, True, id="500-server-error"),
    pytest.param(502, None, HeapServerError, False, True, id="502-bad-gateway"),
    pytest.param(503, None, HeapServerError, False, True, id="503-unavailable"),
    pytest.param(504, None, HeapServerError, False, True, id="504-gateway-timeout"),
]

URL = DELETION_URL


def dns_failure() -> requests.ConnectionError:
    gaierror = socket.gaierror(-2, "Name or service not known")
    return requests.ConnectionError(
        MaxRetryError(None, URL, NameResolutionError("heapanalytics.com", None, gaierror))
    )


def refused() -> requests.ConnectionError:
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111]")
    return requests.ConnectionError(MaxRetryError(None, URL, reason))


def connect_timeout() -> requests.ConnectTimeout:
    return requests.ConnectTimeout(MaxRetryError(None, URL, ConnectTimeoutError("timed out")))


def tls_failure() -> requests.exceptions.SSLError:
    reason = Urllib3SSLError("certificate verify failed")
    return requests.exceptions.SSLError(MaxRetryError(None, URL, reason))


def read_timeout() -> requests.ReadTimeout:
    return requests.ReadTimeout(ReadTimeoutError(None, URL, "Read timed out. (read timeout=30)"))


def reset_before_answer() -> requests.ConnectionError:
    reset = ConnectionResetError(104, "Connection reset by peer")
    return requests.ConnectionError(ProtocolError("Connection aborted.", reset))


def cut_mid_body() -> requests.exceptions.ChunkedEncodingError:
    return requests.exceptions.ChunkedEncodingError(
        ProtocolError("Connection broken: IncompleteRead(10 bytes read, 90 more expected)")
    )


# failure as requests raises it, class, maybe_processed when the call is a POST
TRANSPORT_TABLE = [
    pytest.param(dns_failure, HeapConnectionError, False, id="dns-failure"),
    pytest.param(refused, HeapConnectionError, False, id="connection-refused"),
    pytest.param(connect_timeout, HeapConnectionError, False, id="connect-timeout"),
    pytest.param(tls_failure, HeapConnectionError, False, id="tls-failure"),
    pytest.param(read_timeout, HeapTimeout, True, id="read-timeout"),
    pytest.param(reset_before_answer, HeapTimeout, True, id="reset-before-answer"),
    pytest.param(cut_mid_body, HeapTimeout, True, id="reset-mid-body"),
]


def raised_by(call: Callable[[HeapClient], object], client: HeapClient) -> HeapError:
    with pytest.raises(HeapError) as caught:
        call(client)
    return caught.value


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize(
    ("status", "retry_after", "cls", "permanent", "maybe_if_post"), STATUS_TABLE
)
def test_each_status_code_maps_to_its_class_and_flags(
    heap, client, grant_token, method, status, retry_after, cls, permanent, maybe_if_post
):
    url, call = CALLS[method]
    grant_token("token-1", "token-2")
    headers = {"Retry-After": retry_after} if retry_after else {}
    heap.add(method, url, status=status, json={"err": {"message": "nope"}}, headers=headers)

    error = raised_by(call, client)

    assert type(error) is cls
    assert error.permanent is permanent
    assert error.maybe_processed is (maybe_if_post and method == "POST")
    assert error.status_code == status
    assert error.message == "nope"
    assert error.retry_after == (float(retry_after) if retry_after else None)


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize(("failure", "cls", "maybe_if_post"), TRANSPORT_TABLE)
def test_each_transport_failure_maps_to_its_class_and_flags(
    heap, client, grant_token, method, failure, cls, maybe_if_post
):
    url, call = CALLS[method]
    grant_token()
    heap.add(method, url, body=failure())

    error = raised_by(call, client)

    assert type(error) is cls
    assert error.permanent is False
    assert error.maybe_processed is (maybe_if_post and method == "POST")
    assert error.status_code is None
    assert isinstance(error.__cause__, requests.RequestException)


def test_connect_timeout_is_not_sent_although_requests_calls_it_a_timeout():
    assert isinstance(connect_timeout(), requests.Timeout)


def test_it_never_retries_a_transient_failure_itself(heap, client, grant_token):
    grant_token()
    heap.post(DELETION_URL, status=503)

    with pytest.raises(HeapServerError):
        client.delete_users([{"user_id": 1}])

    assert [call.request.url for call in heap.calls].count(DELETION_URL) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({"err": {"message": "Invalid token"}}, "Invalid token", id="err-object"),
        pytest.param(
            {"error": "invalid_token", "message": "Token expired"},
            "invalid_token: Token expired",
            id="error-symbol-and-message",
        ),
        pytest.param({"err": "Unauthorized"}, "Unauthorized", id="err-string"),
        pytest.param("Bad credentials\n", "Bad credentials", id="plain-text"),
        pytest.param({"message": "Slow down"}, "Slow down", id="message-only"),
        pytest.param("", "HTTP 401", id="empty-body"),
    ],
)
def test_it_reads_the_message_of_every_error_body_shape(heap, client, body, message):
    if isinstance(body, dict):
        heap.post(AUTH_URL, status=401, json=body)
    else:
        heap.post(AUTH_URL, status=401, body=body)

    with pytest.raises(HeapAuthError) as caught:
        client.fetch_token()

    assert caught.value.message == message


def test_it_keeps_the_raw_body_for_the_audit_trail(heap, client, grant_token):
    grant_token()
    raw = '{"error": "invalid_request", "message": "users must not be empty"}'
    heap.post(DELETION_URL, status=400, body=raw)

    error = raised_by(CALLS["POST"][1], client)

    assert error.body == raw
    assert str(error) == (
        "POST /api/public/v0/user_deletion: HTTP 400: invalid_request: users must not be empty"
    )


def test_it_bounds_the_body_and_message_of_a_huge_error_page(heap, client, grant_token):
    grant_token()
    heap.post(DELETION_URL, status=502, body="<html>" + "x" * 100_000)

    error = raised_by(CALLS["POST"][1], client)

    assert len(error.body) == 16_384
    assert len(error.message) == 500


def test_ingestion_plain_text_400_becomes_the_message(heap, client):
    heap.post(f"{US}/api/track", status=400, body="postBody.events[0].properties should be object")

    with pytest.raises(HeapBadRequest) as caught:
        client.track("Signed up", identity="alice@example.com")

    assert caught.value.message == "postBody.events[0].properties should be object"
    assert caught.value.maybe_processed is False


@pytest.mark.parametrize("status", [500, 503])
def test_an_ingestion_5xx_may_have_been_processed(heap, client, status):
    heap.post(f"{US}/api/add_user_properties", status=status)

    with pytest.raises(HeapServerError) as caught:
        client.add_user_properties(identity="alice@example.com", properties={"plan": "pro"})

    assert caught.value.maybe_processed is True


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        pytest.param("0", 0.0, id="zero-seconds"),
        pytest.param("45", 45.0, id="seconds"),
        pytest.param(email.utils.formatdate(FakeClock().now + 90, usegmt=True), 90.0, id="date"),
        pytest.param(email.utils.formatdate(FakeClock().now - 90, usegmt=True), 0.0, id="past"),
        pytest.param("soon", None, id="garbage"),
        pytest.param("-5", None, id="negative"),
    ],
)
def test_it_reads_retry_after_as_seconds_or_http_date(heap, client, grant_token, header, seconds):
    grant_token()
    heap.post(DELETION_URL, status=429, headers={"Retry-After": header})

    error = raised_by(CALLS["POST"][1], client)

    assert isinstance(error, HeapRateLimited)
    assert error.retry_after == seconds


def test_a_503_retry_after_is_kept_too(heap, client, grant_token):
    grant_token()
    heap.get(STATUS_URL + REQUEST_ID, status=503, headers={"Retry-After": "30"})

    error = raised_by(CALLS["GET"][1], client)

    assert isinstance(error, HeapServerError)
    assert error.retry_after == 30.0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"status": "pending"}, id="no-deletion-request-id"),
        pytest.param({"deletion_request_id": "", "status": "pending"}, id="empty-id"),
        pytest.param({"deletion_request_id": REQUEST_ID}, id="no-status"),
        pytest.param(["not", "an", "object"], id="json-array"),
        pytest.param("<html>Created</html>", id="not-json"),
    ],
)
def test_a_201_outside_the_contract_is_transient_and_maybe_processed(
    heap, client, grant_token, body
):
    grant_token()
    kwargs = {"body": body} if isinstance(body, str) else {"json": body}
    heap.post(DELETION_URL, status=201, **kwargs)

    error = raised_by(CALLS["POST"][1], client)

    assert type(error) is HeapProtocolError
    assert (error.permanent, error.maybe_processed, error.status_code) == (False, True, 201)
    assert error.body


def test_a_receipt_without_location_is_still_a_receipt(heap, client, grant_token):
    grant_token()
    heap.post(
        DELETION_URL, status=201, json={"deletion_request_id": REQUEST_ID, "status": "pending"}
    )

    receipt = client.delete_users([{"user_id": 7}])

    assert (receipt.deletion_request_id, receipt.location) == (REQUEST_ID, None)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"deletion_request_id": REQUEST_ID}, id="no-status"),
        pytest.param({"deletion_request_id": "another-id", "status": "complete"}, id="other-id"),
        pytest.param({"deletion_request_id": REQUEST_ID, "status": 1}, id="status-not-text"),
    ],
)
def test_a_status_answer_outside_the_contract_is_transient_and_not_processed(
    heap, client, grant_token, body
):
    grant_token()
    heap.get(STATUS_URL + REQUEST_ID, json=body)

    error = raised_by(CALLS["GET"][1], client)

    assert type(error) is HeapProtocolError
    assert (error.permanent, error.maybe_processed) == (False, False)


def test_a_token_answer_without_access_token_withholds_its_body(heap, client):
    heap.post(AUTH_URL, json={"access_token": "has spaces in it", "expires_in": 300})

    error = raised_by(CALLS["POST"][1], client)

    assert type(error) is HeapProtocolError
    assert (error.maybe_processed, error.body) == (False, "")
    assert [call.request.url for call in heap.calls] == [AUTH_URL]


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param({"status": 503}, id="5xx"),
        pytest.param({"body": read_timeout()}, id="read-timeout"),
    ],
)
def test_a_failed_token_fetch_never_counts_as_a_processed_deletion(heap, client, failure):
    heap.post(AUTH_URL, **failure)

    error = raised_by(CALLS["POST"][1], client)

    assert error.maybe_processed is False
    assert error.path == "/api/public/v0/auth_token"


def test_it_refuses_to_follow_a_redirect(heap, client, grant_token):
    grant_token()
    heap.post(DELETION_URL, status=307, headers={"Location": "https://elsewhere.example/steal"})

    error = raised_by(CALLS["POST"][1], client)

    assert type(error) is HeapProtocolError
    assert (error.permanent, error.maybe_processed) == (True, False)
    assert "https://elsewhere.example/steal" in error.message
    assert len(heap.calls) == 2


def test_validation_errors_are_permanent_value_errors_that_were_never_sent(heap, client):
    with pytest.raises(HeapValidationError) as caught:
        client.delete_users([])

    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.permanent, error.maybe_processed, error.status_code) == (True, False, None)
    assert (error.field, error.rule) == ("users", "must hold 1 to 10000 items (got 0)")
    assert len(heap.calls) == 0


def test_the_status_path_of_an_error_names_the_request_id(heap, client, grant_token):
    grant_token()
    heap.get(STATUS_URL + REQUEST_ID, status=404, json={"err": "Not found"})

    error = raised_by(CALLS["GET"][1], client)

    assert (error.method, error.path) == ("GET", f"/api/public/v0/deletion_status/{REQUEST_ID}")


@pytest.mark.parametrize(
    "error",
    [
        HeapValidationError("users", "must be a list"),
        HeapServerError("boom", method="POST", path="/x", status_code=503, maybe_processed=True),
        HeapRateLimited("slow down", status_code=429, retry_after=5.0),
    ],
    ids=["validation", "server", "rate-limited"],
)
def test_errors_survive_pickling_with_their_flags(error):
    # Celery's prefork pool pickles exceptions between processes.
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object, just pickled

    assert type(copy) is type(error)
    assert (str(copy), vars(copy)) == (str(error), vars(error))
