"""The public form's rate limit: INTAKE_RATE_LIMIT submissions per client IP.

Counts live in the `limits` cache (django-ratelimit's fixed windows; limitcache.py). With
several web processes the cache must be shared (Redis in production), or each process counts
alone.
"""

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from heapprivacy.clientip import client_ip

GROUP = "intake.erasure_form"


def submission_ratelimited(request: HttpRequest) -> bool:
    """Count this submission against its client; True once the limit is exceeded."""
    return is_ratelimited(
        request,
        group=GROUP,
        key=lambda group, request: client_ip(request),
        rate=settings.INTAKE_RATE_LIMIT,
        method="POST",
        increment=True,
    )
