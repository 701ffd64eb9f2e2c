"""The HTTP server: a threaded `http.server` in front of the dispatcher, and `Sandbox` to run it.

HTTP/1.1 with keep-alive, one daemon thread per connection, Nagle's algorithm off (otherwise each
loopback round trip costs ~44 ms instead of ~0.6 ms).
"""

import contextlib
import logging
import re
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from .config import SandboxConfig
from .dispatch import Dispatcher, Hang
from .faults import parse_fault
from .state import SandboxState
from .wire import HttpError, Request, Response

logger = logging.getLogger("heapprivacy.sandbox")

_LENGTH = re.compile(r"[0-9]{1,20}")


class SandboxRequestHandler(BaseHTTPRequestHandler):
    """Reads one request, asks the dispatcher, writes the reply; logs method, path and status."""

    server: "SandboxHTTPServer"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "HeapSandbox"
    # An idle keep-alive connection is dropped after this many seconds.
    timeout = 60

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def version_string(self) -> str:
        return self.server_version

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Silenced: `_handle` logs its own line, without the query string."""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("http.server: " + format, *args)

    def _handle(self) -> None:
        path, _, query = self.path.partition("?")
        body, problem = self._read_body()
        request = Request(
            method=self.command,
            path=path,
            query=dict(parse_qsl(query)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            base_url=self._base_url(),
        )
        reply = self.server.dispatcher.handle(request, problem)
        if isinstance(reply, Hang):
            logger.info("%s %s hang %ss, then close", self.command, path, reply.seconds)
            self.server.stopping.wait(reply.seconds)
            self.close_connection = True
            return
        # Logged before the answer goes out, so a client that has its answer also has the line.
        logger.info("%s %s %s", self.command, path, reply.status)
        self._send(reply)

    def _read_body(self) -> tuple[bytes, HttpError | None]:
        """The body per Content-Length; an unreadable one closes the connection after the reply."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._unread(411, "Content-Length is required")
        raw = self.headers.get("Content-Length")
        if raw is None:
            return b"", None
        if not _LENGTH.fullmatch(raw.strip()):
            return self._unread(400, "Malformed Content-Length")
        length = int(raw)
        if length > self.server.max_body_bytes:
            return self._unread(413, f"Body over {self.server.max_body_bytes} bytes")
        body = self.rfile.read(length)
        if len(body) < length:
            return self._unread(400, "Body shorter than its Content-Length")
        return body, None

    def _unread(self, status: int, message: str) -> tuple[bytes, HttpError]:
        self.close_connection = True
        return b"", HttpError(status, message)

    def _base_url(self) -> str:
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        return f"http://{host}"

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(response.body)


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        dispatcher: Dispatcher,
        max_body_bytes: int,
        stopping: threading.Event,
    ) -> None:
        super().__init__(address, SandboxRequestHandler)
        self.dispatcher = dispatcher
        self.max_body_bytes = max_body_bytes
        self.stopping = stopping
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End every open keep-alive connection: a stopped sandbox answers nobody."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is routine (timeouts, hangs); anything else is logged."""
        if isinstance(sys.exception(), ConnectionError | TimeoutError):
            logger.debug("connection from %s ended early", client_address)
            return
        logger.exception("sandbox connection error from %s", client_address)


class Sandbox:
    """A Heap sandbox served from a background thread of this process.

    `Sandbox(config).start()` binds (port 0 picks a free port) and serves until `stop()`; it is also
    a context manager. `url` is its base URL for both the deletion and the ingestion API. `state`
    is its `SandboxState`; the helpers below drive it like the `/_sandbox/` endpoints do.
    """

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config if config is not None else SandboxConfig()
        self.state = SandboxState(self.config)
        self._stopping = threading.Event()
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "Sandbox":
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")
        self._stopping.clear()
        dispatcher = Dispatcher(self.state, self._stopping.wait)
        address = (self.config.host, self.config.port)
        self._server = SandboxHTTPServer(
            address, dispatcher, self.config.max_body_bytes, self._stopping
        )
        # A short poll interval lets stop() return within ~10 ms: tests start one sandbox each.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="heap-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; hanging requests are released at once."""
        if self._server is None or self._thread is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join()
        self._server = self._thread = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> "Sandbox":
        return self if self._server is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def add_fault(self, spec: dict[str, Any]) -> None:
        """Add a fault in its JSON form (see `faults`); `FaultError` if it is not valid."""
        self.state.faults_add([parse_fault(spec)])

    def clear_faults(self) -> None:
        self.state.faults_clear()

    def advance(self, seconds: float) -> None:
        self.state.advance(seconds)

    def calls(self) -> list[dict[str, Any]]:
        return self.state.calls_describe()

    def deletions(self) -> list[dict[str, Any]]:
        return self.state.deletions_describe()

    def data(self, app_id: str) -> dict[str, Any]:
        return self.state.data_describe(app_id)

    def reset(self) -> None:
        self.state.reset()
