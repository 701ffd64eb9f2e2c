"""The audit trail as CSV (for reading) and JSON Lines (for verification).

JSON Lines: one event per line exactly as heapprivacy.audit.chain.event_line writes it (the
format docs/audit.md specifies and `python -m heapprivacy.audit.verify` reads). The whole chain
(no filter) verifies on its own; a filtered export has gaps, so it is for reading only
(docs/reports.md). heapprivacy.audit.exports writes the same lines, unfiltered, to a stream.
"""

import json
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from heapprivacy.audit.chain import EXPORT_FIELDS, event_line
from heapprivacy.audit.models import AuditEvent
from heapprivacy.reports.csvsafe import chunked, csv_stream
from heapprivacy.reports.filters import AuditFilters

CHUNK = 2_000
CSV_COLUMNS = list(EXPORT_FIELDS)


def audit_events_filtered(filters: AuditFilters) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(filters.q()).order_by("seq")


def audit_chain_dicts(filters: AuditFilters) -> Iterator[dict[str, Any]]:
    """Events in seq order through a server-side cursor (PostgreSQL) in chunks: flat memory."""
    for event in audit_events_filtered(filters).iterator(chunk_size=CHUNK):
        yield event.to_chain_dict()


def audit_jsonl(filters: AuditFilters) -> Iterator[bytes]:
    return chunked(event_line(event) for event in audit_chain_dicts(filters))


def audit_csv(filters: AuditFilters) -> Iterator[bytes]:
    return csv_stream(audit_csv_rows(filters))


def audit_csv_rows(filters: AuditFilters) -> Iterator[list[Any]]:
    yield CSV_COLUMNS
    for event in audit_chain_dicts(filters):
        event["details"] = json.dumps(event["details"], sort_keys=True, ensure_ascii=False)
        yield [event[column] for column in CSV_COLUMNS]
