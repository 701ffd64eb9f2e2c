"""The HTTP server itself: bad requests, wrong methods, body limits, concurrency, in-process API."""

import json
import logging
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests

from heapprivacy.sandbox import Sandbox, SandboxConfig
from heapprivacy.sandbox.state import SandboxState

from .conftest import API_KEY, APP_ID, NOW, Heap


def _raw(url: str, payload: bytes) -> bytes:
    """Send bytes as they are, half-close, and read the whole answer."""
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(payload)
        connection.shutdown(socket.SHUT_WR)
        return b"".join(iter(lambda: connection.recv(65536), b""))


def test_an_unknown_path_is_a_404_json_error(heap: Heap) -> None:
    response = heap.get("/api/public/v1/whatever")

    assert response.status_code == 404
    assert response.json() == {
        "error": "Not Found",
        "message": "No such path: /api/public/v1/whatever",
    }


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_a_wrong_method_on_an_ingestion_path_is_a_405_in_text(heap: Heap, method: str) -> None:
    response = heap.request(method, "/api/track")

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.text == "Use POST on /api/track"


def test_a_wrong_method_on_a_sandbox_path_is_a_405_json_error(heap: Heap) -> None:
    response = heap.request("PUT", "/_sandbox/faults")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST, DELETE"
    assert response.json()["error"] == "Method Not Allowed"


def test_a_malformed_content_length_is_a_400_and_closes_the_connection(sandbox: Sandbox) -> None:
    answer = _raw(
        sandbox.url, b"POST /api/track HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n{}"
    )

    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"Connection: close" in answer
    assert answer.endswith(b"Malformed Content-Length")


def test_a_body_shorter_than_its_content_length_is_a_400(sandbox: Sandbox) -> None:
    answer = _raw(
        sandbox.url, b"POST /api/track HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{}"
    )

    assert answer.startswith(b"HTTP/1.1 400 ")
    assert answer.endswith(b"Body shorter than its Content-Length")


def test_a_chunked_body_is_refused_with_411(heap: Heap) -> None:
    response = heap.post("/api/track", data=iter([b'{"app_id": "1"}']))

    assert response.status_code == 411


def test_a_body_over_the_size_limit_is_refused_with_413() -> None:
    config = SandboxConfig(accounts={APP_ID: API_KEY}, max_body_bytes=1000)

    with Sandbox(config) as sandbox:
        heap = Heap(sandbox.url)
        response = heap.post("/api/track", data=b"x" * 1001)
        assert response.status_code == 413
        assert heap.post("/api/track", data=b"x" * 1000).status_code == 400


def test_without_a_host_header_the_location_uses_the_servers_address(
    heap: Heap, sandbox: Sandbox
) -> None:
    body = b'{"users": [{"user_id": 1}]}'
    request = (
        b"POST /api/public/v0/user_deletion HTTP/1.0\r\n"
        + f"Authorization: Bearer {heap.token()}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )

    answer = _raw(sandbox.url, request)

    location = json.loads(answer.split(b"\r\n\r\n", 1)[1])["deletion_request_location"]
    assert location.startswith(f"{sandbox.url}/api/public/v0/deletion_status/")


def test_it_answers_8_concurrent_clients_of_50_requests_each(sandbox: Sandbox) -> None:
    def client(number: int) -> list[int]:
        heap = Heap(sandbox.url)
        statuses = []
        for n in range(25):
            statuses.append(heap.track(event="x", identity=f"client{number}-{n}").status_code)
            statuses.append(heap.delete_users([{"user_id": n}]).status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(client, range(8)))

    assert [set(statuses) for statuses in results] == [{200, 201}] * 8
    assert len(sandbox.calls()) == 8 * 75
    assert len(sandbox.deletions()) == 8 * 25


def test_a_bug_in_a_handler_is_a_500_and_is_logged(
    heap: Heap, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(SandboxState, "token_issue", broken)

    response = heap.post("/api/public/v0/auth_token", auth=(APP_ID, API_KEY))

    assert response.status_code == 500
    assert response.json() == {
        "error": "Internal Server Error",
        "message": "Internal sandbox error",
    }
    assert "boom" in caplog.text


def test_it_logs_one_line_per_call_with_method_path_and_status(
    heap: Heap, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="heapprivacy.sandbox")

    heap.post("/api/track?debug=1", json={"app_id": APP_ID, "event": "x", "identity": "a"})

    assert "POST /api/track 200" in caplog.messages


@pytest.fixture
def idle_sandbox() -> Iterator[Sandbox]:
    sandbox = Sandbox(SandboxConfig(clock=lambda: NOW))
    yield sandbox
    sandbox.stop()


def test_it_binds_a_free_port_when_started_and_lets_go_when_stopped(idle_sandbox: Sandbox) -> None:
    idle_sandbox.start()
    url = idle_sandbox.url

    assert requests.get(f"{url}/_sandbox/calls", timeout=5).status_code == 200
    idle_sandbox.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_sandbox/calls", timeout=5)


def test_it_has_no_url_before_it_starts(idle_sandbox: Sandbox) -> None:
    with pytest.raises(RuntimeError, match="not running"):
        idle_sandbox.url  # noqa: B018


def test_it_cannot_start_twice_but_can_stop_twice(idle_sandbox: Sandbox) -> None:
    idle_sandbox.start()

    with pytest.raises(RuntimeError, match="already running"):
        idle_sandbox.start()
    idle_sandbox.stop()
    idle_sandbox.stop()


def test_as_a_context_manager_it_uses_a_started_sandbox_as_is(idle_sandbox: Sandbox) -> None:
    started = idle_sandbox.start()

    with started as sandbox:
        assert sandbox is started
        assert requests.get(f"{sandbox.url}/_sandbox/calls", timeout=5).status_code == 200


def test_it_can_be_restarted_with_its_state(idle_sandbox: Sandbox) -> None:
    idle_sandbox.start()
    Heap(idle_sandbox.url).track(event="x", identity="a")
    idle_sandbox.stop()

    idle_sandbox.start()

    assert len(Heap(idle_sandbox.url).calls()) == 1


def test_the_python_helpers_drive_the_same_state_as_the_endpoints(
    heap: Heap, sandbox: Sandbox
) -> None:
    heap.track(event="x", identity="alice")
    heap.delete_users([{"identity": "alice"}])

    sandbox.advance(5)

    assert sandbox.data(APP_ID)["events"] == []
    assert [d["status"] for d in sandbox.deletions()] == ["complete"]
    assert [c["name"] for c in sandbox.calls()] == ["track", "auth_token", "user_deletion"]
    sandbox.reset()
    assert sandbox.calls() == []


def test_an_unsupported_method_is_a_501_logged_at_debug_level(
    heap: Heap, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="heapprivacy.sandbox")

    response = heap.request("OPTIONS", "/api/track")

    assert response.status_code == 501
    assert "http.server: code 501" in caplog.text
