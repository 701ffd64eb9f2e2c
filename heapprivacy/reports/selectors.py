"""Reads behind the report screens, each a fixed number of queries whatever the row count."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Min, QuerySet

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.reports.filters import AuditFilters

PAGE_SIZE = 50
RECENT_COMPLETED = 20


@dataclass
class AuditRow:
    """One line of the audit log: an event, or a run of `count` alike events (one bulk action:
    an import's requests, a bulk approval) from `event`, the newest, down to `oldest_seq`."""

    event: AuditEvent
    count: int = 1
    oldest_seq: int = 0

    @property
    def key(self) -> tuple[str, str, str]:
        return _run_key(self.event)


@dataclass
class AuditPage:
    rows: list[AuditRow]
    older_than: int | None  # the `before` of the next, older page; None on the last page


def audit_page(
    filters: AuditFilters, before: int | None = None, *, each: bool = False
) -> AuditPage:
    """Newest first, in pages of PAGE_SIZE lines; one query, plus two when a run of alike events
    goes on past the rows read (a 100,000-request import is one line, not 2,000 pages).

    `each` shows every event on its own line.
    """
    events = AuditEvent.objects.filter(filters.q())
    if before is not None:
        events = events.filter(seq__lt=before)
    rows = list(events.order_by("-seq")[: PAGE_SIZE + 1])
    if each:
        shown = [AuditRow(event, 1, event.seq) for event in rows[:PAGE_SIZE]]
        return AuditPage(shown, shown[-1].oldest_seq if len(rows) > PAGE_SIZE else None)
    lines = _runs(rows)
    if len(lines) > PAGE_SIZE:
        return AuditPage(lines[:PAGE_SIZE], lines[PAGE_SIZE - 1].oldest_seq)
    if len(rows) > PAGE_SIZE:  # the last run may go on past the rows read
        boundary = _run_extend(lines[-1], events)
        return AuditPage(lines, lines[-1].oldest_seq if boundary else None)
    return AuditPage(lines, None)


def _run_key(event: AuditEvent) -> tuple[str, str, str]:
    return (event.action, event.actor_kind, event.actor_label)


def _runs(events: list[AuditEvent]) -> list[AuditRow]:
    lines: list[AuditRow] = []
    for event in events:
        if lines and lines[-1].key == _run_key(event):
            lines[-1].count += 1
            lines[-1].oldest_seq = event.seq
        else:
            lines.append(AuditRow(event, 1, event.seq))
    return lines


def _run_extend(line: AuditRow, events: QuerySet[AuditEvent]) -> int:
    """Take the run on to the first older event that is not alike; return that event's seq
    (0: the run goes back to the start of the trail)."""
    action, kind, label = line.key
    unlike = events.filter(seq__lt=line.oldest_seq).exclude(
        action=action, actor_kind=kind, actor_label=label
    )
    boundary = unlike.order_by("-seq").values_list("seq", flat=True).first() or 0
    run = events.filter(seq__gt=boundary, seq__lte=line.event.seq)
    extent = run.aggregate(count=Count("seq"), oldest=Min("seq"))
    line.count, line.oldest_seq = extent["count"], extent["oldest"]
    return boundary


def recently_completed() -> list[Mapping[str, object]]:
    requests = ErasureRequest.objects.filter(state=ErasureRequest.State.COMPLETED)
    return list(
        requests.order_by("-completed_at").values("reference", "jurisdiction", "completed_at")[
            :RECENT_COMPLETED
        ]
    )
