"""Which open requests are due soon, overdue or at risk: the rules every page and email shares.

The deadline in force is the extended one once given, else the first (`deadline_at`, the same
as ErasureRequest.deadline). "At risk": not overdue yet, but past its latest safe submit less
SAFE_SUBMIT_LEAD, so it would miss the deadline if Heap took its usual time from now on.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from heapprivacy.erasure.models import ErasureRequest

DUE_SOON = timedelta(days=7)
# The deadline in force, as SQL (ErasureRequest.deadline is the same on a loaded request).
DEADLINE_IN_FORCE = Coalesce("extended_due_at", "due_at")


def open_with_deadline(requests: QuerySet[ErasureRequest]) -> QuerySet[ErasureRequest]:
    """The open ones of `requests`, each with `deadline_at`, the deadline in force."""
    return requests.filter(state__in=ErasureRequest.OPEN_STATES).annotate(
        deadline_at=DEADLINE_IN_FORCE
    )


def due_soon(now: datetime) -> Q:
    return Q(deadline_at__gte=now, deadline_at__lt=now + DUE_SOON)


def overdue(now: datetime) -> Q:
    return Q(deadline_at__lt=now)


def acknowledgement_overdue(now: datetime) -> Q:
    """Past its acknowledge-by date (CCPA: 10 business days) with no acknowledgement sent."""
    return Q(acknowledge_by__lt=now, acknowledged_at__isnull=True)


def at_risk(now: datetime) -> Q:
    lead = timedelta(seconds=settings.SAFE_SUBMIT_LEAD)
    return Q(latest_safe_submit__lt=now + lead, deadline_at__gte=now)
