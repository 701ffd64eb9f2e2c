import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection

from heapprivacy.accounts.roles import Role
from heapprivacy.accounts.services import user_create
from heapprivacy.audit.actors import Actor
from heapprivacy.audit.chain import verify_chain
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.services import audit_record
from heapprivacy.reports.audit_exports import CSV_COLUMNS, audit_csv, audit_jsonl
from heapprivacy.reports.filters import AuditFilters, Period
from tests.conftest import uses_postgresql

pytestmark = pytest.mark.django_db

WHOLE_CHAIN = AuditFilters()

SYSTEM = Actor.system("tests")
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@x", "\tx", "\rx"]


def jsonl_events(filters: AuditFilters = WHOLE_CHAIN) -> list[dict]:
    data = b"".join(audit_jsonl(filters))
    assert data.endswith(b"\n")
    return [json.loads(line) for line in data.split(b"\n")[:-1]]


def csv_rows(filters: AuditFilters = WHOLE_CHAIN) -> list[dict[str, str]]:
    text = b"".join(audit_csv(filters)).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == CSV_COLUMNS
    return list(reader)


def record(action: str = "test.done", **kwargs: object) -> AuditEvent:
    return audit_record(action, actor=kwargs.pop("actor", SYSTEM), **kwargs)


def test_the_whole_chain_exports_one_canonical_line_per_event_and_verifies() -> None:
    for n in range(5):
        record(details={"n": n, "note": "vérifié"})

    data = b"".join(audit_jsonl(AuditFilters()))
    lines = data.split(b"\n")[:-1]

    assert len(lines) == 5
    for line, event in zip(lines, AuditEvent.objects.order_by("seq"), strict=True):
        canonical = json.dumps(
            event.to_chain_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        assert line == canonical.encode("utf-8")
    assert "vérifié".encode() in data
    assert verify_chain(json.loads(line) for line in lines) is None


def test_formula_looking_text_is_neutralised_in_csv_and_byte_exact_in_jsonl() -> None:
    for text in ("@x", "+1", "-2"):  # usernames Django allows
        record(actor=Actor.for_user(user_create(text, "a-long-test-password", [Role.AUDITOR])))
    for text in FORMULAS:
        record(request_ref="DSR-2026-000001", details={"filename": text})

    rows = csv_rows()
    events = jsonl_events()

    assert [row["actor_label"] for row in rows[:3]] == ["'@x", "'+1", "'-2"]
    assert [event["actor_label"] for event in events[:3]] == ["@x", "+1", "-2"]
    assert [event["details"]["filename"] for event in events[3:]] == FORMULAS
    assert [json.loads(row["details"])["filename"] for row in rows[3:]] == FORMULAS
    assert all(not row["details"].startswith(("=", "+", "-", "@")) for row in rows)
    assert verify_chain(iter(events)) is None


def test_line_breaks_in_an_event_never_split_its_line() -> None:
    record(details={"note": "one\rtwo\nthree\u2028four\u0085five"})
    record()

    data = b"".join(audit_jsonl(AuditFilters()))

    assert data.count(b"\n") == 2
    assert verify_chain(jsonl_events()) is None


def test_the_csv_has_every_field_of_every_event() -> None:
    event = record("request.approved", request_ref="DSR-2026-000001", details={"subjects": 2})

    (row,) = csv_rows()

    chain = event.to_chain_dict()
    assert {column: row[column] for column in CSV_COLUMNS if column != "details"} == {
        column: str(chain[column]) for column in CSV_COLUMNS if column != "details"
    }
    assert json.loads(row["details"]) == {"subjects": 2}


def test_it_filters_by_request_actor_and_action_or_its_prefix() -> None:
    officer = Actor.for_user(user_create("olivia", "a-long-test-password", [Role.OFFICER]))
    record("request.created", request_ref="DSR-2026-000001")
    record("request.approved", actor=officer, request_ref="DSR-2026-000001")
    record("request.approved", actor=officer, request_ref="DSR-2026-000002")
    record("requests.other", actor=officer)

    def seqs(**filters: str) -> list[int]:
        return [event["seq"] for event in jsonl_events(AuditFilters(**filters))]

    assert seqs(request_ref="DSR-2026-000001") == [1, 2]
    assert seqs(actor="olivia") == [2, 3, 4]
    assert seqs(action="request") == [1, 2, 3]
    assert seqs(action="request.approved", request_ref="DSR-2026-000002") == [3]


def test_it_filters_by_days_both_ends_included() -> None:
    for day in (1, 2, 3, 4):
        with time_machine.travel(datetime(2025, 6, day, 23, 59, 59, tzinfo=UTC), tick=False):
            record()

    period = Period(since=date(2025, 6, 2), until=date(2025, 6, 3))

    assert [event["seq"] for event in jsonl_events(AuditFilters(period=period))] == [2, 3]
    assert [row["seq"] for row in csv_rows(AuditFilters(period=period))] == ["2", "3"]


def test_a_filtered_export_is_not_the_whole_chain() -> None:
    assert AuditFilters().is_whole_chain
    assert not AuditFilters(action="request").is_whole_chain


def test_the_export_is_lazy_and_reads_its_events_in_one_query(django_assert_num_queries) -> None:
    for _ in range(3):
        record()

    with django_assert_num_queries(0):
        stream = audit_jsonl(AuditFilters())
    with django_assert_num_queries(1):
        assert len(b"".join(stream).split(b"\n")) == 4


@pytest.mark.postgres
def test_on_postgresql_the_export_holds_a_server_side_cursor_while_it_streams() -> None:
    assert uses_postgresql()
    for _ in range(300):  # about 300 KB: the first 64 KB chunk goes out before the last row
        record(details={"padding": "x" * 1000})

    stream = audit_jsonl(AuditFilters())
    first_chunk = next(stream)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
        open_cursors = cursor.fetchall()
    stream.close()

    assert 0 < first_chunk.count(b"\n") < 300
    assert open_cursors, "the events are read through a named (server-side) cursor"
