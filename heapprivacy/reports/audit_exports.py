"""The audit trail as CSV (for reading) and JSON Lines (for verification).

JSON Lines: one event per line exactly as heapprivacy.audit.chain.event_line writes it (the
format docs/audit.md specifies and `python -m heapprivacy.audit.verify` reads). The whole chain
(no filter) verifies on its own; a filtered export has gaps, so it is for reading only
(docs/reports.md).
"""

import json
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from heapprivacy.audit.chain import EXPORT_FIELDS, event_line
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.selectors import audit_chain_dicts as chain_dicts
from heapprivacy.reports.csvsafe import chunked, csv_stream
from heapprivacy.reports.filters import AuditFilters

CSV_COLUMNS = list(EXPORT_FIELDS)
# The details cell: the details as JSON, keys sorted (one encoder for all rows).
_DETAILS = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


def audit_events_filtered(filters: AuditFilters) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(filters.q()).order_by("seq")


def audit_chain_dicts(filters: AuditFilters) -> Iterator[dict[str, Any]]:
    """Events in seq order, streamed with flat memory (audit.selectors.audit_chain_dicts)."""
    return chain_dicts(audit_events_filtered(filters))


def audit_jsonl(filters: AuditFilters) -> Iterator[bytes]:
    return chunked(event_line(event) for event in audit_chain_dicts(filters))


def audit_csv(filters: AuditFilters) -> Iterator[bytes]:
    return csv_stream(audit_csv_rows(filters))


def audit_csv_rows(filters: AuditFilters) -> Iterator[list[Any]]:
    yield CSV_COLUMNS
    for event in audit_chain_dicts(filters):
        event["details"] = _DETAILS.encode(event["details"])
        yield [event[column] for column in CSV_COLUMNS]
