"""The small cast the Heap client tests share: a clock, a shared cache, a loopback Heap."""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.support.loopback import LoopbackServer

APP_ID = "1234567890123"
API_KEY = "test-api-key-0001"
US = "https://heapanalytics.com"
EU = "https://c.eu.heap-api.com"
AUTH_URL = f"{US}/api/public/v0/auth_token"
DELETION_URL = f"{US}/api/public/v0/user_deletion"
STATUS_URL = f"{US}/api/public/v0/deletion_status/"
REQUEST_ID = "5b8a3f0e-4c2d-4e8f-9a51-0d6c2b7e1f34"


class FakeClock:
    """Wall-clock seconds that move only when told to (or when the code under test sleeps)."""

    def __init__(self, now: float = 1_767_225_600.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class DictCache:
    """A process-shared cache stand-in with the Django cache methods; timeouts are recorded."""

    def __init__(self) -> None:
        self.data: dict[str, object] = {}
        self.timeouts: dict[str, int | None] = {}

    def get(self, key: str) -> object:
        return self.data.get(key)

    def set(self, key: str, value: object, timeout: int | None) -> None:
        self.data[key] = value
        self.timeouts[key] = timeout

    def add(self, key: str, value: object, timeout: int | None) -> bool:
        if key in self.data:
            return False
        self.set(key, value, timeout)
        return True

    def delete(self, key: str) -> None:
        self.data.pop(key, None)


def deletion_body(request_id: str = REQUEST_ID) -> dict[str, str]:
    return {
        "deletion_request_location": f"{STATUS_URL}{request_id}",
        "deletion_request_id": request_id,
        "status": "pending",
    }


@dataclass
class Reply:
    """A scripted answer of the loopback Heap; ``echo`` puts the request headers in the body."""

    status: int = 200
    body: object = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    echo: bool = False


HANG = "hang"
RESET = "reset"
CUT = "cut"


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class LoopbackHeap:
    """A real HTTP server on 127.0.0.1 answering from a script: Reply, HANG, RESET or CUT.

    HANG never answers (until stopped), RESET drops the connection before answering, CUT sends
    the status line and half the promised body.
    """

    def __init__(self) -> None:
        self.script: deque[Reply | str] = deque()
        self.received: list[Received] = []
        self.released = threading.Event()
        self._server = LoopbackServer(_Handler, self)

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> LoopbackHeap:
        self._server.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self._server.stop()

    def next_action(self) -> Reply | str:
        return self.script.popleft() if self.script else Reply(599, "no scripted reply")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: the tests read ``received`` instead."""

    def _serve(self) -> None:
        heap: LoopbackHeap = self.server.owner  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        heap.received.append(Received(self.command, self.path, dict(self.headers), body))
        action = heap.next_action()
        if action == HANG:
            heap.released.wait(10)
            self.close_connection = True
        elif action == RESET:
            self._reset()
        elif action == CUT:
            self._cut()
        else:
            self._reply(action)

    def _reply(self, reply: Reply) -> None:
        body = dict(self.headers) if reply.echo else reply.body
        raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _cut(self) -> None:
        self.wfile.write(b'HTTP/1.1 201 Created\r\nContent-Length: 100\r\n\r\n{"deletion')
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
