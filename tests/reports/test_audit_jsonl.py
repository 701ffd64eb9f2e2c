"""The JSON Lines export of the whole trail: the file `python -m heapprivacy.audit.verify` reads."""

from typing import Any

import pytest
from django.db import connection

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.chain import event_line
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.services import audit_record
from heapprivacy.reports.audit_exports import audit_jsonl
from heapprivacy.reports.filters import AuditFilters

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


def whole_chain() -> bytes:
    return b"".join(audit_jsonl(AuditFilters()))


def test_it_writes_one_canonical_line_per_event(three_events: list[AuditEvent]) -> None:
    assert whole_chain() == b"".join(event_line(e.to_chain_dict()) for e in three_events)


def test_an_empty_trail_exports_nothing() -> None:
    assert whole_chain() == b""


def test_it_streams_through_a_chunked_cursor_in_one_query(
    three_events: list[AuditEvent],
    chunked_cursors: list[Any],
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(1):
        whole_chain()

    assert len(chunked_cursors) == 1


@pytest.mark.postgres
def test_on_postgresql_it_reads_through_a_server_side_cursor(
    three_events: list[AuditEvent], chunked_cursors: list[Any]
) -> None:
    import psycopg

    whole_chain()

    assert isinstance(chunked_cursors[0].cursor, psycopg.ServerCursor)
