"""Fault injection: make chosen Heap calls fail, slow down, hang or answer oddly.

A fault is a JSON object with exactly one effect key and two optional common keys:

- `path`: the Heap method it applies to — `auth_token`, `user_deletion`, `deletion_status`,
  `track`, `identify`, `add_user_properties`, `add_account_properties` — or `"*"` (default) for
  all of them. Faults never touch the `/_sandbox/` endpoints.
- `times`: how many times it fires, then it is gone; absent, it stays until cleared.

Effects (each fault has one; faults fire in the order they were added, the oldest first):

- `"status": 400..599` — answer that status instead of handling the call. Options:
  `"retry_after": seconds` (sends `Retry-After`), `"body": "text"` (a raw text/plain body instead
  of the usual error body), `"after_processing": true` (handle the call first — a deletion IS
  recorded — then answer with the fault: "Heap acted but said it failed"). A 2xx status (200..299)
  needs both `body` and `after_processing`: Heap acted, then answered success in a body outside
  the contract (a 201 without a parsable deletion_request_id). `"every": n` fires it on every
  n-th matching call only (10 for 10 % of them), the calls between are served as usual; `times`
  then counts the calls it fired on.
- `"latency_ms": 1..600000` — wait that long before handling. Latency faults add up.
- `"hang": true` — hold the connection `"hang_seconds"` (default 60) then close it without any
  response, so the client times out. `"after_processing": true` handles the call before hanging:
  "Heap acted but we never heard".
- `"error_style": "error_symbol" | "err_object" | "err_string"` — the shape of the deletion API's
  error bodies (`{"error": "Unauthorized", "message": …}` by default, `{"err": {"message": …}}`,
  `{"err": "…"}`). Path: a deletion method or `"*"`; `times` counts error bodies rendered.
- `"token_ttl": seconds` — tokens issued while it lasts expire after that many seconds, while
  `expires_in` still advertises the configured TTL (a token that dies early). Path: `auth_token`;
  `times` counts tokens issued.
- `"deletion_status_value": "text"` — `deletion_status` answers 200 with this undocumented status
  value. Path: `deletion_status`; `times` counts 200 answers.
- `"deletion_request_id": "text"` — `user_deletion` gives the deletion it records this id instead
  of a UUID (polls for it work as usual). Path: `user_deletion`; `times` counts deletions.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .wire import ERROR_STYLES

METHOD_NAMES = (
    "auth_token",
    "user_deletion",
    "deletion_status",
    "track",
    "identify",
    "add_user_properties",
    "add_account_properties",
)
DELETION_METHOD_NAMES = METHOD_NAMES[:3]
OUTCOMES = ("status", "hang")

# Each effect, and the options it takes besides `path` and `times`.
_OPTIONS: dict[str, tuple[str, ...]] = {
    "status": ("retry_after", "body", "after_processing", "every"),
    "latency_ms": (),
    "hang": ("hang_seconds", "after_processing"),
    "error_style": (),
    "token_ttl": (),
    "deletion_status_value": (),
    "deletion_request_id": (),
}
_ONLY_PATH = {
    "token_ttl": "auth_token",  # nosec B105 - a route name
    "deletion_status_value": "deletion_status",
    "deletion_request_id": "user_deletion",
}


class FaultError(ValueError):
    """A fault specification that cannot be used; the message says why."""


@dataclass(eq=False)
class Fault:
    """One parsed fault. Field names are the JSON keys; `times` is what is left of it."""

    effect: str
    path: str = "*"
    times: int | None = None
    status: int = 0
    retry_after: int | None = None
    body: str | None = None
    after_processing: bool = False
    latency_ms: int = 0
    hang: bool = False
    hang_seconds: float = 60.0
    error_style: str = "error_symbol"
    token_ttl: float = 0.0
    deletion_status_value: str = ""
    deletion_request_id: str = ""
    every: int = 1
    seen: int = 0  # matching calls so far, for `every`

    def matches(self, effects: tuple[str, ...], name: str) -> bool:
        return self.effect in effects and self.path in ("*", name)

    def describe(self) -> dict[str, Any]:
        keys = ("path", "times", self.effect, *_OPTIONS[self.effect])
        return {key: getattr(self, key) for key in keys}


def _whole(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise FaultError(f"should be a whole number in {low}..{high}")
        return value

    return check


def _seconds(high: float) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        valid = isinstance(value, int | float) and not isinstance(value, bool)
        if not valid or not 0 < value <= high:
            raise FaultError(f"should be a number of seconds above 0 and at most {high}")
        return float(value)

    return check


def _one_of(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in choices:
            raise FaultError(f"should be one of {', '.join(choices)}")
        return value

    return check


def _true(value: Any) -> bool:
    if value is not True:
        raise FaultError("should be true")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or value == "":
        raise FaultError("should be a non-empty string")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FaultError("should be true or false")
    return value


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "times": _whole(1, 1_000_000),
    "status": _whole(200, 599),
    "retry_after": _whole(0, 86_400),
    "body": _text,
    "after_processing": _flag,
    "latency_ms": _whole(1, 600_000),
    "hang": _true,
    "hang_seconds": _seconds(3600),
    "error_style": _one_of(*ERROR_STYLES),
    "token_ttl": _seconds(86_400),
    "deletion_status_value": _text,
    "deletion_request_id": _text,
    "every": _whole(1, 1_000_000),
}


def parse_fault(spec: Any) -> Fault:
    """Check a fault's JSON form and build it; `FaultError` names the key at fault."""
    if not isinstance(spec, dict):
        raise FaultError("a fault should be a JSON object")
    effect = _effect(spec)
    unknown = set(spec) - {"path", "times", effect, *_OPTIONS[effect]}
    if unknown:
        raise FaultError(f"{effect} faults do not take: {', '.join(sorted(unknown))}")
    values = {key: _checked(key, value) for key, value in spec.items() if key != "path"}
    fault = Fault(effect=effect, path=_path(effect, spec.get("path")), **values)
    if effect == "status" and fault.status < 300 and not (fault.body and fault.after_processing):
        raise FaultError("a 2xx status needs a body and after_processing: true")
    if effect == "status" and 300 <= fault.status < 400:
        raise FaultError("status should be 200..299 or 400..599")
    return fault


def _effect(spec: dict[str, Any]) -> str:
    effects = [key for key in _OPTIONS if key in spec]
    if len(effects) != 1:
        raise FaultError(f"a fault needs exactly one of: {', '.join(_OPTIONS)}")
    return effects[0]


def _checked(key: str, value: Any) -> Any:
    try:
        return _CHECKS[key](value)
    except FaultError as error:
        raise FaultError(f"{key} {error}") from None


def _path(effect: str, path: Any) -> str:
    if effect in _ONLY_PATH:
        allowed: tuple[str, ...] = (_ONLY_PATH[effect],)
    elif effect == "error_style":
        allowed = ("*", *DELETION_METHOD_NAMES)
    else:
        allowed = ("*", *METHOD_NAMES)
    chosen = allowed[0] if path is None else path
    if chosen not in allowed:
        raise FaultError(f"path should be one of {', '.join(allowed)} for {effect} faults")
    return chosen


class FaultBook:
    """The active faults, oldest first. Not locked: `SandboxState` calls it under its lock."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, faults: list[Fault]) -> None:
        self._faults.extend(faults)

    def clear(self) -> None:
        self._faults.clear()

    def describe(self) -> list[dict[str, Any]]:
        return [fault.describe() for fault in self._faults]

    def take(self, effects: tuple[str, ...], name: str) -> Fault | None:
        """The oldest fault with one of `effects` for method `name`, used up once."""
        for fault in self._faults:
            if fault.matches(effects, name) and self._due(fault):
                self._use(fault)
                return fault
        return None

    def _due(self, fault: Fault) -> bool:
        fault.seen += 1
        return fault.seen % fault.every == 0

    def take_all(self, effects: tuple[str, ...], name: str) -> list[Fault]:
        taken = [fault for fault in self._faults if fault.matches(effects, name)]
        for fault in taken:
            self._use(fault)
        return taken

    def _use(self, fault: Fault) -> None:
        if fault.times is None:
            return
        fault.times -= 1
        if fault.times == 0:
            self._faults = [other for other in self._faults if other is not fault]
