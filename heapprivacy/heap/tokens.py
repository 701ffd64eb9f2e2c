"""Access tokens for the User Deletion API: fetched rarely, shared, refreshed before expiry.

A token is kept in a cache under a key derived from the deletion base URL and the app_id (a
hash; the api_key is never part of a key) as ``{"access_token": …, "refresh_at": <epoch s>}``.
The cache is either the application's (any object with the Django cache methods ``get``,
``set``, ``add``, ``delete``; e.g. ``django.core.cache.cache``, shared between processes) or an
in-memory one per client. One process at a time refreshes an account's token: it takes a
short-lived lock with ``add``; the others wait a few seconds for its token, then fetch their own.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

logger = logging.getLogger("heapprivacy.heap")

DEFAULT_LIFETIME = 300.0
REFRESH_MARGIN = 30.0
LOCK_TTL = 10
LOCK_WAIT = 5.0
LOCK_POLL = 0.1


class TokenCache(Protocol):
    """The subset of the Django cache API the token store uses."""

    def get(self, key: str) -> object: ...

    def set(self, key: str, value: object, timeout: int | None) -> object: ...

    def add(self, key: str, value: object, timeout: int | None) -> bool: ...

    def delete(self, key: str) -> object: ...


@dataclass(frozen=True)
class TokenInfo:
    """What ``HeapClient.fetch_token`` reveals: how long the new token lives, not the token."""

    expires_in: float


@dataclass(frozen=True)
class AccessToken:
    """A token, its lifetime (s), and the epoch time after which it must be refreshed."""

    value: str = field(repr=False)
    lifetime: float
    refresh_at: float


class MemoryTokenCache:
    """An in-process cache with the same four methods, expiring entries by ``clock``."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[object, float]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryTokenCache(entries={len(self._entries)})"

    def get(self, key: str) -> object:
        with self._lock:
            value, expires_at = self._entries.get(key, (None, math.inf))
            return value if self._clock() < expires_at else None

    def set(self, key: str, value: object, timeout: int | None) -> None:
        with self._lock:
            self._entries[key] = (value, self._expiry(timeout))

    def add(self, key: str, value: object, timeout: int | None) -> bool:
        with self._lock:
            _, expires_at = self._entries.get(key, (None, -math.inf))
            if self._clock() < expires_at:
                return False
            self._entries[key] = (value, self._expiry(timeout))
            return True

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def _expiry(self, timeout: int | None) -> float:
        return math.inf if timeout is None else self._clock() + timeout


def token_cache_key(deletion_base_url: str, app_id: str) -> str:
    """The cache key of an account's token (the lock key adds ``:lock``)."""
    digest = hashlib.sha256(f"{deletion_base_url}\n{app_id}".encode()).hexdigest()
    return f"heapprivacy.heap.token.{digest[:40]}"


def parse_token_response(raw: bytes) -> tuple[str, float]:
    """``(access_token, lifetime in seconds)`` from an auth_token answer.

    ``expires_in`` is used when it is a positive number; otherwise the documented 5 minutes
    apply (assumption: a missing or malformed ``expires_in`` is not an error). ValueError
    messages never include the body: it may hold a token.
    """
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ValueError("auth_token body is not JSON") from exc
    token = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token.isascii() or not token.isprintable() or " " in token:
        raise ValueError("auth_token body has no usable access_token")
    return token, _lifetime(data.get("expires_in"))


def refresh_time(now: float, lifetime: float) -> float:
    """When to stop using a token that lives ``lifetime`` seconds from ``now``.

    The margin is 30 s, but never more than half the lifetime.
    """
    return now + lifetime - min(REFRESH_MARGIN, lifetime / 2)


class TokenStore:
    """Hands out a valid token for one account, fetching one only when none is cached."""

    def __init__(
        self,
        *,
        cache: TokenCache,
        key: str,
        fetch: Callable[[], tuple[str, float]],
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self._cache = cache
        self._key = key
        self._lock_key = f"{key}:lock"
        self._fetch = fetch
        self._clock = clock
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"TokenStore(key={self._key!r})"

    def get(self, *, refused: str | None = None) -> str:
        """A cached token, or a fresh one. ``refused`` is a token Heap just refused: never it."""
        token = self._cached(refused)
        if token is not None:
            logger.debug("heap token cache hit")
            return token
        return self._refresh_once(refused)

    def discard(self, refused: str) -> None:
        """Forget ``refused`` unless another process already replaced it."""
        if self._cached(None) == refused:
            self._cache.delete(self._key)

    def refresh(self) -> AccessToken:
        """Fetch a new token and store it for everyone sharing the cache."""
        value, lifetime = self._fetch()
        now = self._clock()
        token = AccessToken(value, lifetime, refresh_time(now, lifetime))
        entry = {"access_token": token.value, "refresh_at": token.refresh_at}
        self._cache.set(self._key, entry, max(1, math.ceil(token.refresh_at - now)))
        logger.debug("heap token fetched; valid for %.0f s", lifetime)
        return token

    def _cached(self, refused: str | None) -> str | None:
        entry = self._cache.get(self._key)
        if not isinstance(entry, dict):
            return None
        value, refresh_at = entry.get("access_token"), entry.get("refresh_at")
        if not isinstance(value, str) or not isinstance(refresh_at, int | float):
            return None
        fresh = self._clock() < refresh_at and value != refused
        return value if fresh else None

    def _refresh_once(self, refused: str | None) -> str:
        if self._cache.add(self._lock_key, "1", LOCK_TTL):
            try:
                return self._cached(refused) or self.refresh().value
            finally:
                # The lock only avoids a stampede: several live tokens are harmless, so a lock
                # that expired and was taken by someone else may be deleted here.
                self._cache.delete(self._lock_key)
        logger.debug("heap token refresh in progress elsewhere; waiting")
        return self._await_other_refresh(refused) or self.refresh().value

    def _await_other_refresh(self, refused: str | None) -> str | None:
        for _ in range(round(LOCK_WAIT / LOCK_POLL)):
            self._sleep(LOCK_POLL)
            token = self._cached(refused)
            if token is not None:
                return token
        return None


def _lifetime(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DEFAULT_LIFETIME
    return float(value) if math.isfinite(value) and value > 0 else DEFAULT_LIFETIME
