"""The cache rate limits count in: the shared cache while it answers, this process's own while
it does not.

A request must be filed whatever the cache's state (README: losing Redis "delays work and
loses nothing"), so a limit that cannot reach the shared cache does not refuse the call (500)
nor let everything through: it counts in process memory, a limit per process instead of one
for all, and logs a warning. After a failure the shared cache is tried again only after
RETRY_AFTER seconds, so a cache that hangs does not slow every request down.

Configured as the cache alias `limits` (settings.CACHES), whose LOCATION names the shared one;
django-ratelimit (RATELIMIT_USE_CACHE) and the API throttle read it.
"""

import logging
import time
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger("heapprivacy.limits")

RETRY_AFTER = 5.0  # seconds before a failed shared cache is tried again


class FailoverCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.shared_alias = location or "default"
        # Every thread's instance counts in the same memory: one count per process.
        self.local = LocMemCache("heapprivacy-limits", {})
        self.retry_at = 0.0

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._call("add", key, value, timeout, version=version)

    def get(self, key: str, default: Any = None, version: Any = None) -> Any:
        return self._call("get", key, default, version=version)

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._call("set", key, value, timeout, version=version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._call("touch", key, timeout, version=version)

    def delete(self, key: str, version: Any = None) -> bool:
        return self._call("delete", key, version=version)

    def incr(self, key: str, delta: int = 1, version: Any = None) -> int:
        return self._call("incr", key, delta, version=version)

    def clear(self) -> None:
        self.local.clear()
        self._call("clear")

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self.retry_at:
            try:
                return getattr(caches[self.shared_alias], method)(*args, **kwargs)
            except ValueError:
                raise  # incr of a missing key: an answer, not a failure
            except Exception as error:
                self.retry_at = time.monotonic() + RETRY_AFTER
                logger.warning(
                    "cache %r unreachable (%s): rate limits count in this process only",
                    self.shared_alias,
                    type(error).__name__,
                )
        return getattr(self.local, method)(*args, **kwargs)
