"""Reading the audit trail back: events in chain order, as chain.py hashes them."""

import json
from collections.abc import Generator
from typing import Any

from django.db import connection
from django.db.models import F, Func, QuerySet, TextField
from django.db.models.functions import Cast

from heapprivacy.audit.chain import EXPORT_FIELDS
from heapprivacy.audit.models import AuditEvent

CHUNK = 2_000
# `at` as chain_dict writes it (UTC, six fractional digits), formatted by PostgreSQL.
_AT_UTC_TEXT = (
    "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
)

_AS_TEXT = {"at": "at_text", "details": "details_text"}


def audit_events_iter(from_seq: int = 1) -> Generator[dict[str, Any], None, None]:
    """Chain dicts in seq order from `from_seq`, streamed (see audit_chain_dicts)."""
    return audit_chain_dicts(AuditEvent.objects.filter(seq__gte=from_seq))


def audit_chain_dicts(events: QuerySet[AuditEvent]) -> Generator[dict[str, Any], None, None]:
    """`events` in seq order as chain dicts (AuditEvent.to_chain_dict), with flat memory.

    On PostgreSQL the rows come through a server-side cursor with `at` already text and the
    details as JSON text, and no model is built: exports and verification of millions of
    events spend their time on the JSON, not on the ORM. Elsewhere (SQLite keeps `at` as text
    of its own form) each event is read as a model.
    """
    ordered = events.order_by("seq")
    if connection.vendor != "postgresql":
        return (event.to_chain_dict() for event in ordered.iterator(chunk_size=CHUNK))
    return _chain_dicts_postgresql(ordered)


def _chain_dicts_postgresql(events: QuerySet[AuditEvent]) -> Generator[dict[str, Any], None, None]:
    texts = events.annotate(
        at_text=Func(F("at"), template=_AT_UTC_TEXT, output_field=TextField()),
        details_text=Cast("details", TextField()),
    )
    columns = [_AS_TEXT.get(name, name) for name in EXPORT_FIELDS]
    sql, params = texts.values_list(*columns).query.sql_with_params()
    details = EXPORT_FIELDS.index("details")
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            for row in rows:
                event = dict(zip(EXPORT_FIELDS, row, strict=True))
                event["details"] = json.loads(row[details])
                yield event


def audit_first_actor(request_ref: str, action: str) -> tuple[str, str] | None:
    """(actor kind, actor id) of the first `action` event recorded for the request, if any."""
    events = AuditEvent.objects.filter(request_ref=request_ref, action=action).order_by("seq")
    return events.values_list("actor_kind", "actor_id").first()


def audit_event_hash(seq: int) -> str | None:
    return AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
