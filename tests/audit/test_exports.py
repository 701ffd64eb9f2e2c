from io import BytesIO
from typing import Any

import pytest
from django.db import connection

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.chain import Anchor, event_line
from heapprivacy.audit.exports import AuditExport, audit_export_jsonl, audit_jsonl_lines
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_events() -> list[AuditEvent]:
    return [
        audit_record("batch.released", actor=Actor.system(), details={"note": f"n°{n}\n"})
        for n in range(3)
    ]


@pytest.fixture
def chunked_cursors(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The cursors QuerySet.iterator() opens (chunked_cursor: server-side on PostgreSQL)."""
    opened: list[Any] = []
    chunked_cursor = connection.chunked_cursor

    def spy() -> Any:
        opened.append(chunked_cursor())
        return opened[-1]

    monkeypatch.setattr(connection, "chunked_cursor", spy)
    return opened


def test_it_writes_one_canonical_line_per_event_and_returns_count_and_head(
    three_events: list[AuditEvent],
) -> None:
    stream = BytesIO()

    summary = audit_export_jsonl(stream)

    assert stream.getvalue() == b"".join(event_line(e.to_chain_dict()) for e in three_events)
    assert summary == AuditExport(events=3, head=Anchor(3, three_events[-1].hash))


def test_it_starts_at_from_seq(three_events: list[AuditEvent]) -> None:
    stream = BytesIO()

    summary = audit_export_jsonl(stream, from_seq=2)

    assert stream.getvalue().splitlines(keepends=True) == [
        event_line(e.to_chain_dict()) for e in three_events[1:]
    ]
    assert summary.events == 2


def test_an_empty_export_writes_nothing_and_has_no_head() -> None:
    stream = BytesIO()

    assert audit_export_jsonl(stream) == AuditExport(events=0, head=None)
    assert stream.getvalue() == b""


def test_the_lines_generator_yields_the_same_bytes(three_events: list[AuditEvent]) -> None:
    stream = BytesIO()
    audit_export_jsonl(stream)

    assert b"".join(audit_jsonl_lines()) == stream.getvalue()


def test_it_streams_through_a_chunked_cursor_in_one_query(
    three_events: list[AuditEvent],
    chunked_cursors: list[Any],
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(1):
        audit_export_jsonl(BytesIO())

    assert len(chunked_cursors) == 1


@pytest.mark.postgres
def test_on_postgresql_it_reads_through_a_server_side_cursor(
    three_events: list[AuditEvent], chunked_cursors: list[Any]
) -> None:
    import psycopg

    audit_export_jsonl(BytesIO())

    assert isinstance(chunked_cursors[0].cursor, psycopg.ServerCursor)
