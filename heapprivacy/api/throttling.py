"""The per-client rate limit, settings.API_RATE_LIMIT ("120/m"): over it, 429 with Retry-After.

The history of each client's calls lives in the default cache, shared by every web process that
shares the cache (Redis in production). Calls refused before the throttle (401, 403) do not
count against the limit.
"""

from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest
from django.utils.connection import ConnectionProxy
from django_ratelimit.core import get_usage
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from heapprivacy.api.models import ApiClient
from heapprivacy.clientip import client_ip

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


# Failed authentications (401) per client address, settings.API_AUTH_FAILURE_LIMIT: past it the
# address gets 429 before its token is even read, and those refusals are logged, not audited,
# so that nobody can fill the audit trail with calls that name no client.
AUTH_FAILURES = "api.auth_failures"


def auth_failures_wait(request: HttpRequest) -> int | None:
    """Seconds the address must wait, when it has used up its failed authentications."""
    usage = _auth_failures(request, increment=False)
    if usage is None or usage["count"] < usage["limit"]:
        return None
    return max(1, usage["time_left"])


def auth_failure_count(request: HttpRequest) -> None:
    _auth_failures(request, increment=True)


def _auth_failures(request: HttpRequest, *, increment: bool) -> dict | None:
    return get_usage(
        request,
        group=AUTH_FAILURES,
        key=lambda group, request: client_ip(request),
        rate=settings.API_AUTH_FAILURE_LIMIT,
        increment=increment,
    )
