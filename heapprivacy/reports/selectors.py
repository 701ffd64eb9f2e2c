"""Reads behind the report screens, each a fixed number of queries whatever the row count."""

import json
from collections.abc import Mapping
from dataclasses import dataclass

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.reports.filters import AuditFilters

PAGE_SIZE = 50
RECENT_COMPLETED = 20


@dataclass
class AuditPage:
    events: list[AuditEvent]
    older_than: int | None  # the `before` of the next, older page; None on the last page


def audit_page(filters: AuditFilters, before: int | None = None) -> AuditPage:
    """Newest first, one query: one row more than a page tells whether an older page exists."""
    events = AuditEvent.objects.filter(filters.q())
    if before is not None:
        events = events.filter(seq__lt=before)
    rows = list(events.order_by("-seq")[: PAGE_SIZE + 1])
    shown = rows[:PAGE_SIZE]
    for event in shown:
        event.details_json = json.dumps(event.details, sort_keys=True, ensure_ascii=False)
    return AuditPage(shown, shown[-1].seq if len(rows) > PAGE_SIZE else None)


def recently_completed() -> list[Mapping[str, object]]:
    requests = ErasureRequest.objects.filter(state=ErasureRequest.State.COMPLETED)
    return list(
        requests.order_by("-completed_at").values("reference", "jurisdiction", "completed_at")[
            :RECENT_COMPLETED
        ]
    )
