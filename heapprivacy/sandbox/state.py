"""All the sandbox's mutable state behind one lock.

Accounts and runtime settings, tokens, deletion requests, ingested data per app_id, the call log,
faults and rate-limit windows. Every public method takes the lock once, so each is atomic; what
they return is a copy that can be serialised outside the lock.
"""

import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .clock import Clock, iso
from .config import SandboxConfig
from .faults import Fault, FaultBook, parse_fault
from .ratelimit import Charge, RateLimiter
from .store import AppData

RUNTIME_SETTINGS = ("token_ttl", "complete_after", "complete_after_polls", "rate_limits")

IngestAction = Callable[[AppData, float], None]


@dataclass
class Token:
    app_id: str
    expires_at: float


@dataclass
class Deletion:
    """One accepted `user_deletion` call."""

    id: str
    app_id: str
    users: list[dict[str, Any]]
    created: float
    polls: int = 0
    completed: float | None = None

    @property
    def status(self) -> str:
        return "pending" if self.completed is None else "complete"

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "app_id": self.app_id,
            "users": self.users,
            "status": self.status,
            "created": iso(self.created),
            "completed": None if self.completed is None else iso(self.completed),
            "polls": self.polls,
        }


class SandboxState:
    """The store every handler reads and writes; thread-safe through one lock."""

    def __init__(self, config: SandboxConfig) -> None:
        self._lock = threading.Lock()
        self._clock = Clock(config.clock)
        self._config = replace(config, accounts=dict(config.accounts), faults=[])
        self._faults = FaultBook()
        self._faults.add([parse_fault(spec) for spec in config.faults])
        self._tokens: dict[str, Token] = {}
        self._deletions: dict[str, Deletion] = {}
        self._pending: dict[str, Deletion] = {}
        self._apps: dict[str, AppData] = {}
        self._calls: list[dict[str, Any]] = []
        self._limiter = RateLimiter()

    # Clock and settings

    def advance(self, seconds: float) -> float:
        """Move the clock forward; deletions that fall due complete now."""
        with self._lock:
            self._clock.advance(seconds)
            self._settle()
            return self._clock.now()

    def settings(self) -> dict[str, Any]:
        """The runtime settings and the accounts' app_ids (never their api keys)."""
        with self._lock:
            shown = {name: getattr(self._config, name) for name in RUNTIME_SETTINGS}
            return {**shown, "app_ids": sorted(self._config.accounts)}

    def reconfigure(self, changes: dict[str, Any], accounts: dict[str, str]) -> None:
        """Change runtime settings and add or re-key accounts; `ValueError` if a value is bad."""
        with self._lock:
            merged = {**self._config.accounts, **accounts}
            self._config = replace(self._config, accounts=merged, **changes)

    def reset(self) -> None:
        """Forget everything but the accounts, the settings and the clock."""
        with self._lock:
            self._faults.clear()
            self._tokens.clear()
            self._deletions.clear()
            self._pending.clear()
            self._apps.clear()
            self._calls.clear()
            self._limiter = RateLimiter()

    # Tokens

    def token_issue(self, app_id: str, api_key: str) -> tuple[str, int] | None:
        """A new token and the advertised TTL, or None for bad credentials.

        A `token_ttl` fault shortens the token's real life, not the advertised one. Several tokens
        stay valid at once (assumption: a new token does not revoke older ones).
        """
        with self._lock:
            expected = self._config.accounts.get(app_id, "")
            if not expected or not secrets.compare_digest(expected.encode(), api_key.encode()):
                return None
            now = self._clock.now()
            self._tokens = {key: t for key, t in self._tokens.items() if t.expires_at > now}
            fault = self._faults.take(("token_ttl",), "auth_token")
            life = fault.token_ttl if fault else self._config.token_ttl
            token = secrets.token_urlsafe(32)
            self._tokens[token] = Token(app_id, now + life)
            return token, self._config.token_ttl

    def token_app_id(self, token: str) -> str | None:
        """The app_id a live token was issued for; None if unknown or expired."""
        with self._lock:
            found = self._tokens.get(token)
            if found is None or found.expires_at <= self._clock.now():
                return None
            return found.app_id

    # Deletions

    def deletion_create(self, app_id: str, users: list[dict[str, Any]]) -> Deletion:
        with self._lock:
            self._settle()
            fault = self._faults.take(("deletion_request_id",), "user_deletion")
            deletion_id = fault.deletion_request_id if fault else str(uuid.uuid4())
            deletion = Deletion(deletion_id, app_id, users, self._clock.now())
            self._deletions[deletion.id] = deletion
            self._pending[deletion.id] = deletion
            return deletion

    def deletion_poll(self, app_id: str, deletion_id: str) -> str | None:
        """The status one poll answers, or None for an unknown id or another account's.

        With `complete_after_polls` = N, the Nth poll completes the deletion and says so.
        """
        with self._lock:
            self._settle()
            deletion = self._deletions.get(deletion_id)
            if deletion is None or deletion.app_id != app_id:
                return None
            deletion.polls += 1
            needed = self._config.complete_after_polls
            if deletion.completed is None and 0 < needed <= deletion.polls:
                self._complete(deletion, self._clock.now())
            fault = self._faults.take(("deletion_status_value",), "deletion_status")
            return fault.deletion_status_value if fault else deletion.status

    def deletions_describe(self) -> list[dict[str, Any]]:
        with self._lock:
            self._settle()
            return [deletion.describe() for deletion in self._deletions.values()]

    def _settle(self) -> None:
        """Complete the deletions whose delay has passed (not in complete-after-polls mode)."""
        if self._config.complete_after_polls:
            return
        now = self._clock.now()
        for deletion in list(self._pending.values()):
            due = deletion.created + self._config.complete_after
            if due <= now:
                self._complete(deletion, due)

    def _complete(self, deletion: Deletion, when: float) -> None:
        deletion.completed = when
        del self._pending[deletion.id]
        if deletion.app_id in self._apps:
            self._apps[deletion.app_id].erase(deletion.users)

    # Ingested data

    def ingest(self, app_id: str, charges: list[Charge], action: IngestAction) -> int | None:
        """Run `action` on the app's data unless a rate limit refuses: then the Retry-After."""
        with self._lock:
            self._settle()
            now = self._clock.now()
            if self._config.rate_limits:
                retry_after = self._limiter.retry_after(charges, now)
                if retry_after is not None:
                    return retry_after
            action(self._apps.setdefault(app_id, AppData()), now)
            self._limiter.record(charges, now)
            return None

    def data_describe(self, app_id: str) -> dict[str, Any]:
        with self._lock:
            self._settle()
            return {"app_id": app_id, **self._apps.get(app_id, AppData()).describe()}

    # Call log

    def call_record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            seq = len(self._calls) + 1
            self._calls.append({"seq": seq, "time": iso(self._clock.now()), **entry})

    def calls_describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._calls)

    # Faults

    def faults_add(self, faults: list[Fault]) -> None:
        with self._lock:
            self._faults.add(faults)

    def faults_clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def faults_describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return self._faults.describe()

    def fault_take(self, effects: tuple[str, ...], name: str) -> Fault | None:
        with self._lock:
            return self._faults.take(effects, name)

    def fault_latency_ms(self, name: str) -> int:
        with self._lock:
            return sum(fault.latency_ms for fault in self._faults.take_all(("latency_ms",), name))
