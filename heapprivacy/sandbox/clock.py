"""The sandbox's clock: a time source plus an offset that tests move forward.

Tokens, deletion completion, rate-limit windows and the identify month all read this clock, so a
test can expire a token or complete a deletion with `POST /_sandbox/advance` instead of sleeping.
Injected latency and hangs are about the wire, not about Heap's state: they use real time.
"""

import time
from collections.abc import Callable
from datetime import UTC, datetime


class Clock:
    """Seconds since the epoch from `source`, shifted by everything passed to `advance`.

    Not locked: `SandboxState` reads and moves it under its own lock.
    """

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = 0.0

    def now(self) -> float:
        return self._source() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds


def iso(timestamp: float) -> str:
    """An ISO 8601 UTC rendering of an epoch timestamp, for inspection output."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat()
