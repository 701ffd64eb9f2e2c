import csv
import io
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from heapprivacy.erasure.lifecycle.requests import request_approve, subjects_add
from heapprivacy.erasure.lifecycle.subjects import subject_parse
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest
from heapprivacy.reports.filters import Period
from heapprivacy.reports.register import COLUMNS, register_csv
from tests.erasure.factories import SYSTEM, make_account, make_request
from tests.reports.conftest import BETA_APP_ID, run_to_completion

pytestmark = pytest.mark.django_db

ALL_TIME = Period()


def register(period: Period = ALL_TIME) -> dict[str, dict[str, str]]:
    """The register parsed back: reference -> {column: cell}."""
    text = b"".join(register_csv(period)).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == COLUMNS
    return {row["reference"]: row for row in reader}


def iso(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else ""


def set_due(request: ErasureRequest, due_at: datetime | None) -> None:
    ErasureRequest.objects.filter(pk=request.pk).update(due_at=due_at)


def test_a_completed_request_has_its_dates_heap_ids_and_is_on_time(completed_request) -> None:
    set_due(completed_request, completed_request.completed_at + timedelta(days=1))
    completed_request.refresh_from_db()
    batch = DeletionBatch.objects.get()

    row = register()[completed_request.reference]

    assert row == {
        "reference": completed_request.reference,
        "external_ref": "T-1",
        "received_at": iso(completed_request.received_at),
        "nature_of_request": "deletion",
        "source": "staff",
        "jurisdiction": "GDPR-EU",
        "due_at": iso(completed_request.due_at),
        "extended_due_at": "",
        "responded_at": iso(completed_request.completed_at),
        "nature_of_response": "completed",
        "denial_basis": "",
        "heap_deletion_request_ids": batch.deletion_request_id,
        "completed_at": iso(completed_request.completed_at),
        "on_time": "yes",
    }
    assert batch.deletion_request_id


def test_a_rejected_request_gives_its_basis_and_the_rejection_as_its_response(
    rejected_request,
) -> None:
    set_due(rejected_request, rejected_request.decided_at - timedelta(seconds=1))

    row = register()[rejected_request.reference]

    assert row["nature_of_response"] == "rejected"
    assert row["denial_basis"] == "identity_not_verified"
    assert row["responded_at"] == iso(rejected_request.decided_at)
    assert (row["heap_deletion_request_ids"], row["completed_at"]) == ("", "")
    assert row["on_time"] == "no"


def test_an_open_request_is_pending_and_not_yet_judged_on_time(idle_account) -> None:
    request = make_request(idle_account, source=ErasureRequest.Source.CSV, jurisdiction="CCPA")
    set_due(request, timezone.now() - timedelta(days=3))

    row = register()[request.reference]

    assert (row["nature_of_response"], row["responded_at"], row["on_time"]) == ("pending", "", "")
    assert (row["source"], row["jurisdiction"]) == ("csv", "CCPA")


def test_a_cancelled_request_says_so(idle_account) -> None:
    request = make_request(idle_account)
    ErasureRequest.objects.filter(pk=request.pk).update(state="cancelled")

    assert register()[request.reference]["nature_of_response"] == "cancelled"


def test_on_time_is_empty_without_a_deadline_and_no_when_completed_after_it(
    completed_request,
) -> None:
    set_due(completed_request, None)
    assert register()[completed_request.reference]["on_time"] == ""

    set_due(completed_request, completed_request.completed_at - timedelta(seconds=1))
    assert register()[completed_request.reference]["on_time"] == "no"


def test_an_extended_request_is_judged_against_its_extended_deadline(completed_request) -> None:
    extended = completed_request.completed_at + timedelta(days=30)
    ErasureRequest.objects.filter(pk=completed_request.pk).update(
        due_at=completed_request.completed_at - timedelta(days=1),
        extended_due_at=extended,
        extended_at=completed_request.received_at,
    )

    row = register()[completed_request.reference]

    assert (row["extended_due_at"], row["on_time"]) == (iso(extended), "yes")


def test_a_request_sent_in_two_batches_lists_both_deletion_ids(account, officer) -> None:
    other = make_account("beta", account.deletion_base_url, app_id=BETA_APP_ID)
    request = make_request(account, ["alice@example.com"])
    subjects_add(request, other, [subject_parse("identity", "alice@example.com")])
    request_approve(request, actor=SYSTEM)

    run_to_completion(request)

    ids = sorted(DeletionBatch.objects.values_list("deletion_request_id", flat=True))
    assert len(ids) == 2
    assert register()[request.reference]["heap_deletion_request_ids"] == ";".join(ids)


@pytest.mark.parametrize(
    "external_ref", ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@x", "\tx"]
)
def test_a_formula_looking_external_ref_is_neutralised(idle_account, external_ref: str) -> None:
    request = make_request(idle_account, external_ref=external_ref)

    assert register()[request.reference]["external_ref"] == "'" + external_ref


def test_the_period_selects_by_date_received_both_days_included(idle_account) -> None:
    days = [datetime(2025, 3, day, 23, 59, tzinfo=UTC) for day in (1, 2, 3, 4)]
    requests = [make_request(idle_account, received_at=day) for day in days]

    rows = register(Period(since=date(2025, 3, 2), until=date(2025, 3, 3)))

    assert list(rows) == [requests[1].reference, requests[2].reference]


@pytest.mark.parametrize("count", [3, 30])
def test_the_register_is_one_query_whatever_the_number_of_requests(
    idle_account, django_assert_num_queries, count: int
) -> None:
    for _ in range(count):
        make_request(idle_account)

    with django_assert_num_queries(1):
        assert len(register()) == count


def test_the_register_streams_through_an_iterator(idle_account) -> None:
    make_request(idle_account)

    with mock.patch.object(
        QuerySet, "iterator", autospec=True, side_effect=QuerySet.iterator
    ) as spy:
        register()

    spy.assert_called_once()
    assert spy.call_args.kwargs == {"chunk_size": 2000}
