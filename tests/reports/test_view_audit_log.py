from datetime import UTC, datetime

import pytest
import time_machine

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.services import audit_record
from heapprivacy.reports.selectors import PAGE_SIZE
from tests.reports.conftest import MAY_EXPORT, MAY_NOT_EXPORT

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")


def record(count: int, action: str = "test.done", **kwargs: object) -> None:
    for _ in range(count):
        audit_record(action, actor=SYSTEM, **kwargs)


def seqs(response: object) -> list[int]:
    return [row.event.seq for row in response.context["page"].rows]


def lines(response: object) -> list[tuple[int, int, int]]:
    """(newest seq, oldest seq, events) of each line of the page."""
    return [(row.event.seq, row.oldest_seq, row.count) for row in response.context["page"].rows]


@pytest.mark.parametrize("role", MAY_EXPORT)
def test_officers_and_auditors_browse_the_trail_newest_first(client_as, role: str) -> None:
    record(3, details={"note": "<b>not markup</b>"})

    response = client_as(role).get("/reports/audit/?each=on")

    assert response.status_code == 200
    assert seqs(response) == [3, 2, 1]
    assert b"&lt;b&gt;not markup&lt;/b&gt;" in response.content


@pytest.mark.parametrize("role", MAY_NOT_EXPORT)
def test_approvers_and_administrators_are_refused_and_it_is_audited(client_as, role) -> None:
    response = client_as(role).get("/reports/audit/")

    assert response.status_code == 403
    assert AuditEvent.objects.get().action == "access.denied"


def test_anonymous_visitors_are_sent_to_log_in(client) -> None:
    assert client.get("/reports/audit/")["Location"].startswith("/accounts/login/")


def test_it_is_read_only(auditor_client) -> None:
    assert auditor_client.post("/reports/audit/").status_code == 405


def test_it_filters_like_the_export(auditor_client) -> None:
    record(2, "request.created", request_ref="DSR-2026-000001")
    record(1, "request.approved", request_ref="DSR-2026-000001")
    record(1, "request.approved", request_ref="DSR-2026-000002")
    with time_machine.travel(datetime(2020, 1, 1, tzinfo=UTC), tick=False):
        record(1, "request.approved", request_ref="DSR-2026-000001")

    def filtered(query: str) -> list[int]:
        return seqs(auditor_client.get(f"/reports/audit/?each=on&{query}"))

    assert filtered("request=dsr-2026-000001&action=request.approved") == [5, 3]
    assert filtered("action=request&since=2021-01-01") == [4, 3, 2, 1]
    assert filtered("actor=tests&until=2020-01-01") == [5]
    assert filtered("actor=nobody") == []


def test_it_links_the_same_filters_to_the_exports(auditor_client) -> None:
    html = auditor_client.get("/reports/audit/?action=request&before=9").content.decode()

    assert 'href="/reports/audit.csv?action=request' in html
    assert 'href="/reports/audit.jsonl?action=request' in html
    assert "before=9&amp;" not in html


def test_pages_go_back_by_seq_without_counting(auditor_client) -> None:
    record(PAGE_SIZE + 5)

    first = auditor_client.get("/reports/audit/?each=on")
    older = first.context["page"].older_than
    second = auditor_client.get(f"/reports/audit/?each=on&before={older}")

    assert seqs(first) == list(range(PAGE_SIZE + 5, 5, -1))
    assert older == 6
    assert seqs(second) == [5, 4, 3, 2, 1]
    assert second.context["page"].older_than is None


def test_alike_events_in_a_row_share_one_line(auditor_client) -> None:
    record(1, "request.note_added", request_ref="DSR-2026-000001")
    record(3, "request.created", request_ref="DSR-2026-000002")
    audit_record("request.created", actor=Actor.system("public form"))
    record(1, "request.approved", request_ref="DSR-2026-000002")

    response = auditor_client.get("/reports/audit/")

    assert lines(response) == [(6, 6, 1), (5, 5, 1), (4, 2, 3), (1, 1, 1)]
    assert "Received 3 events" in response.content.decode()
    assert "each=on&amp;before=5" in response.content.decode()


def test_a_run_longer_than_a_page_is_one_line_and_the_next_page_starts_below_it(
    auditor_client,
) -> None:
    record(2, "request.note_added")
    record(PAGE_SIZE * 3, "request.created")

    first = auditor_client.get("/reports/audit/")
    second = auditor_client.get(f"/reports/audit/?before={first.context['page'].older_than}")

    assert lines(first) == [(PAGE_SIZE * 3 + 2, 3, PAGE_SIZE * 3)]
    assert lines(second) == [(2, 1, 2)]
    assert second.context["page"].older_than is None


def test_filters_apply_before_alike_events_are_summed(auditor_client) -> None:
    record(PAGE_SIZE, "request.created")
    record(1, "request.note_added")
    record(PAGE_SIZE, "request.created")

    response = auditor_client.get("/reports/audit/?action=request.created")

    assert lines(response) == [(PAGE_SIZE * 2 + 1, 1, PAGE_SIZE * 2)]


@pytest.mark.parametrize("events", [3, 300])
def test_the_browser_takes_the_same_queries_whatever_the_number_of_events(
    auditor_client, django_assert_num_queries, events: int
) -> None:
    record(events)

    # session, user, user and group permissions, the page of events, roles in the header
    with django_assert_num_queries(6):
        auditor_client.get("/reports/audit/?action=test&each=on")


@pytest.mark.parametrize("events", [PAGE_SIZE + 1, 3_000])
def test_a_long_run_costs_two_queries_more_whatever_its_length(
    auditor_client, django_assert_num_queries, events: int
) -> None:
    record(events)

    # as above, plus where the run ends and how many events it holds
    with django_assert_num_queries(8):
        auditor_client.get("/reports/audit/?action=test")


@pytest.mark.parametrize("query", ["before=0", "before=x", "since=never", "action=DROP TABLE"])
def test_bad_input_is_a_400(auditor_client, query: str) -> None:
    assert auditor_client.get(f"/reports/audit/?{query}").status_code == 400
