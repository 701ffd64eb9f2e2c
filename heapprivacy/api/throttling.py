"""The per-client rate limit, settings.API_RATE_LIMIT ("120/m"): over it, 429 with Retry-After.

The history of each client's calls lives in the default cache, shared by every web process that
shares the cache (Redis in production). Calls refused before the throttle (401, 403) do not
count against the limit.
"""

from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.utils.connection import ConnectionProxy
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from heapprivacy.api.models import ApiClient

if TYPE_CHECKING:  # rest_framework.views imports the throttle classes: no import at run time
    from rest_framework.views import APIView


class ApiClientRateThrottle(SimpleRateThrottle):
    # The default cache, or this process's while it is down (limitcache.py); a proxy, as DRF's
    # own default is, so each thread and each settings change gets its cache.
    cache = cast(BaseCache, ConnectionProxy(caches, "limits"))
    # Set by SimpleRateThrottle from the rate (the stubs do not declare them).
    num_requests: int
    duration: int
    cache_format = "api-rate:%(ident)s"

    def get_rate(self) -> str:
        # Read at each call (a throttle is built per request), so a changed setting applies.
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if not isinstance(request.auth, ApiClient):
            return None
        return self.cache_format % {"ident": request.auth.pk}

    def wait(self) -> float:
        """Seconds until the oldest call still counted leaves the window (DRF's default spreads
        the remaining calls over the window instead, and gives up once the limit is lowered)."""
        counted = self.history[: self.num_requests]
        if len(counted) < self.num_requests:
            return 0.0
        return max(1.0, counted[-1] + self.duration - self.now)
