from collections.abc import Iterator
from typing import Any

from heapprivacy.audit.models import AuditEvent


def audit_events_iter(from_seq: int = 1) -> Iterator[dict[str, Any]]:
    """Chain dicts in seq order, streamed (a server-side cursor on PostgreSQL)."""
    events = AuditEvent.objects.filter(seq__gte=from_seq).order_by("seq")
    for event in events.iterator(chunk_size=2000):
        yield event.to_chain_dict()


def audit_event_hash(seq: int) -> str | None:
    return AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
