"""Routing, fault application and the call log: from a parsed `Request` to a reply.

Heap's paths go through the faults and into the call log; `/_sandbox/` paths do neither.
"""

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import control, deletion, ingestion
from .faults import OUTCOMES, Fault
from .state import SandboxState
from .wire import HttpError, Request, Response, error_json, error_text, text_response

logger = logging.getLogger("heapprivacy.sandbox")

Handler = Callable[[SandboxState, Request], Response]

DELETION, INGESTION, CONTROL = "deletion", "ingestion", "control"


@dataclass(frozen=True)
class Route:
    name: str
    family: str
    pattern: re.Pattern[str]
    methods: Mapping[str, Handler]


@dataclass(frozen=True)
class Hang:
    """Hold the connection this long, then close it without answering."""

    seconds: float


Reply = Response | Hang


def _route(name: str, family: str, pattern: str, methods: Mapping[str, Handler]) -> Route:
    return Route(name, family, re.compile(pattern), methods)


ROUTES = (
    _route("auth_token", DELETION, "/api/public/v0/auth_token", {"POST": deletion.auth_token}),
    _route(
        "user_deletion", DELETION, "/api/public/v0/user_deletion", {"POST": deletion.user_deletion}
    ),
    _route(
        "deletion_status",
        DELETION,
        "/api/public/v0/deletion_status/(?P<deletion_request_id>[^/]+)",
        {"GET": deletion.deletion_status},
    ),
    _route("track", INGESTION, "/api/track", {"POST": ingestion.track}),
    _route("identify", INGESTION, "/api/v1/identify", {"POST": ingestion.identify}),
    _route(
        "add_user_properties",
        INGESTION,
        "/api/add_user_properties",
        {"POST": ingestion.add_user_properties},
    ),
    _route(
        "add_account_properties",
        INGESTION,
        "/api/add_account_properties",
        {"POST": ingestion.add_account_properties},
    ),
    _route("calls", CONTROL, "/_sandbox/calls", {"GET": control.calls_show}),
    _route("deletions", CONTROL, "/_sandbox/deletions", {"GET": control.deletions_show}),
    _route("data", CONTROL, "/_sandbox/data", {"GET": control.data_show}),
    _route(
        "faults",
        CONTROL,
        "/_sandbox/faults",
        {"GET": control.faults_show, "POST": control.faults_add, "DELETE": control.faults_clear},
    ),
    _route(
        "config",
        CONTROL,
        "/_sandbox/config",
        {"GET": control.config_show, "POST": control.config_update},
    ),
    _route("advance", CONTROL, "/_sandbox/advance", {"POST": control.advance}),
    _route("reset", CONTROL, "/_sandbox/reset", {"POST": control.reset}),
)


def find_route(path: str) -> tuple[Route | None, dict[str, str]]:
    for route in ROUTES:
        match = route.pattern.fullmatch(path)
        if match:
            return route, match.groupdict()
    return None, {}


class Dispatcher:
    """Answers requests from the state; `wait` sleeps for latency (and returns early on stop)."""

    def __init__(self, state: SandboxState, wait: Callable[[float], object]) -> None:
        self._state = state
        self._wait = wait

    def handle(self, request: Request, body_problem: HttpError | None) -> Reply:
        """The reply to one request; `body_problem` is a body the server could not read."""
        route, params = find_route(request.path)
        request.params.update(params)
        if route is not None and route.family == CONTROL:
            return self._serve(route, request, body_problem)
        applied: list[str] = []
        reply = self._serve_heap(route, request, body_problem, applied)
        self._record(route, request, reply, applied)
        return reply

    def _serve_heap(
        self,
        route: Route | None,
        request: Request,
        body_problem: HttpError | None,
        applied: list[str],
    ) -> Reply:
        if route is None:
            return error_json(HttpError(404, f"No such path: {request.path}"))
        if request.method not in route.methods or body_problem is not None:
            return self._serve(route, request, body_problem)
        latency_ms = self._state.fault_latency_ms(route.name)
        if latency_ms:
            applied.append("latency_ms")
            self._wait(latency_ms / 1000)
        fault = self._state.fault_take(OUTCOMES, route.name)
        if fault is None:
            return self._serve(route, request, None)
        applied.append(fault.effect)
        if fault.after_processing:
            self._serve(route, request, None)
        return self._fault_reply(route, fault)

    def _serve(self, route: Route, request: Request, body_problem: HttpError | None) -> Response:
        handler = route.methods.get(request.method)
        try:
            if handler is None:
                allowed = ", ".join(route.methods)
                raise HttpError(405, f"Use {allowed} on {request.path}", {"Allow": allowed})
            if body_problem is not None:
                raise body_problem
            return handler(self._state, request)
        except HttpError as error:
            return self._render(route, error)
        except Exception:
            logger.exception("sandbox bug while handling %s %s", request.method, request.path)
            return self._render(route, HttpError(500, "Internal sandbox error"))

    def _render(self, route: Route, error: HttpError) -> Response:
        if route.family == INGESTION:
            return error_text(error)
        if route.family == CONTROL:
            return error_json(error)
        style = self._state.fault_take(("error_style",), route.name)
        return error_json(error, style.error_style if style else "error_symbol")

    def _fault_reply(self, route: Route, fault: Fault) -> Reply:
        if fault.effect == "hang":
            return Hang(fault.hang_seconds)
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        if fault.body is not None:
            return text_response(fault.status, fault.body, headers)
        return self._render(route, HttpError(fault.status, "Injected fault", headers))

    def _record(
        self, route: Route | None, request: Request, reply: Reply, applied: list[str]
    ) -> None:
        entry: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "name": route.name if route else None,
            "status": reply.status if isinstance(reply, Response) else None,
            "faults": applied,
        }
        self._state.call_record({**entry, **request.notes})
