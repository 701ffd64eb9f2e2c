"""Sliding-window rate limits, as Heap documents them for ingestion.

Documented (doc): track and add_user_properties allow 30 requests per 30 s per identity per app_id;
bulk track allows 1000 events per minute per identity and 15,000 per minute per app_id.
(assumption: over a limit the answer is 429 with `Retry-After`; nothing of the call is stored, and
a refused call does not count against the window.)
"""

import math
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    units: int
    window_seconds: float


@dataclass(frozen=True)
class Charge:
    """What one call costs in one window: `cost` units of `limit` against `key`."""

    key: Hashable
    limit: Limit
    cost: int = 1


class RateLimiter:
    """Used units per key, as (time, cost) pairs. Not locked: `SandboxState` holds the lock."""

    def __init__(self) -> None:
        self._used: dict[Hashable, deque[tuple[float, int]]] = {}

    def retry_after(self, charges: list[Charge], now: float) -> int | None:
        """Whole seconds until every charge fits its window, or None if they all fit now."""
        longest = max((self._wait(charge, now) for charge in charges), default=0.0)
        return math.ceil(longest) if longest > 0 else None

    def record(self, charges: list[Charge], now: float) -> None:
        for charge in charges:
            self._used.setdefault(charge.key, deque()).append((now, charge.cost))

    def _wait(self, charge: Charge, now: float) -> float:
        """Seconds until enough old units leave the window for this charge to fit."""
        used = self._window(charge, now)
        excess = sum(cost for _, cost in used) + charge.cost - charge.limit.units
        if excess <= 0:
            return 0.0
        for at, cost in used:
            excess -= cost
            if excess <= 0:
                return at + charge.limit.window_seconds - now
        return charge.limit.window_seconds

    def _window(self, charge: Charge, now: float) -> deque[tuple[float, int]]:
        used = self._used.get(charge.key, deque())
        while used and used[0][0] <= now - charge.limit.window_seconds:
            used.popleft()
        return used
