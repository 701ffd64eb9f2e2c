from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from heapprivacy.console.dashboard import median_days_to_complete
from heapprivacy.erasure.models import ErasureRequest
from tests.erasure.factories import make_account, make_request

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["officer", "approver", "auditor"])
def test_staff_who_read_requests_see_the_dashboard(
    role_clients: dict[str, Client], role: str
) -> None:
    assert role_clients[role].get("/dashboard/").status_code == 200


def counts(client: Client) -> dict[str, int]:
    return {tile.label: tile.count for tile in client.get("/dashboard/").context["tiles"]}


def test_it_counts_requests_by_state_and_deadline(officer_client: Client) -> None:
    account = make_account()
    overdue, soon, _ = (make_request(account) for _ in range(3))
    now = timezone.now()
    ErasureRequest.objects.filter(pk=overdue.pk).update(due_at=now - timedelta(days=1))
    ErasureRequest.objects.filter(pk=soon.pk).update(due_at=now + timedelta(days=3))

    tiles = counts(officer_client)

    assert tiles["Received"] == 3
    assert tiles["Due in 7 days"] == 1
    assert tiles["Overdue"] == 1


def test_the_weekly_chart_counts_received_and_completed(officer_client: Client) -> None:
    request = make_request(make_account())
    ErasureRequest.objects.filter(pk=request.pk).update(
        state="completed", completed_at=timezone.now()
    )

    context = officer_client.get("/dashboard/").context

    assert sum(week.received for week in context["weeks"]) == 1
    assert sum(week.completed for week in context["weeks"]) == 1
    received, completed = context["weekly_chart"]["series"]
    assert (sum(received["values"]), sum(completed["values"])) == (1, 1)
    assert len(context["weekly_chart"]["labels"]) == 12


def test_the_median_days_to_complete_is_shown(officer_client: Client) -> None:
    request = make_request(make_account(), received_at=timezone.now() - timedelta(days=4))
    ErasureRequest.objects.filter(pk=request.pk).update(
        state="completed", completed_at=timezone.now()
    )

    assert officer_client.get("/dashboard/").context["median_days"] == 4.0


@pytest.mark.parametrize(("days", "median"), [((), None), ((1, 9, 3), 3.0), ((2, 5, 1, 30), 3.5)])
def test_the_median_is_the_middle_span_or_the_mean_of_the_two_middle_ones(
    days: tuple[int, ...], median: float | None
) -> None:
    account, now = make_account(), timezone.now()
    for taken in days:
        request = make_request(account, received_at=now - timedelta(days=taken))
        ErasureRequest.objects.filter(pk=request.pk).update(state="completed", completed_at=now)

    assert median_days_to_complete() == median


@pytest.mark.parametrize("rows", [3, 300])
def test_the_dashboard_takes_the_same_queries_whatever_the_row_count(
    officer_client: Client, django_assert_num_queries: object, rows: int
) -> None:
    make_request(make_account(), [f"user-{n}" for n in range(rows)])

    with django_assert_num_queries(15):  # with the check that the public form can route
        officer_client.get("/dashboard/")


def test_the_dashboard_says_when_the_public_form_cannot_take_requests(
    officer_client: Client,
) -> None:
    make_account("acme")
    assert "public request form cannot" not in officer_client.get("/dashboard/").content.decode()

    make_account("second", app_id="9999999999999")
    page = officer_client.get("/dashboard/").content.decode()

    assert "The public request form cannot take requests: set INTAKE_HEAP_ACCOUNT" in page


def test_an_administrator_does_not_see_the_dashboard(administrator_client: Client) -> None:
    assert administrator_client.get("/dashboard/").status_code == 403


@pytest.mark.parametrize(
    ("role", "start"),
    [("officer", "/dashboard/"), ("auditor", "/dashboard/"), ("administrator", "/heap-accounts/")],
)
def test_each_role_starts_on_a_page_it_may_see(
    role_clients: dict[str, Client], role: str, start: str
) -> None:
    assert role_clients[role].get("/")["Location"] == start


def test_a_request_near_its_latest_safe_submit_is_counted_at_risk(officer_client: Client) -> None:
    request = make_request(make_account())
    ErasureRequest.objects.filter(pk=request.pk).update(
        latest_safe_submit=timezone.now() + timedelta(days=1),
        due_at=timezone.now() + timedelta(days=10),
    )

    assert counts(officer_client)["At risk (near latest safe submit)"] == 1


def test_the_dashboard_refuses_post(officer_client: Client) -> None:
    assert officer_client.post("/dashboard/").status_code == 405


def test_large_counts_have_thousands_separators(officer_client: Client) -> None:
    ErasureRequest.objects.bulk_create(
        ErasureRequest(
            reference=f"DSR-2020-{n:06d}",
            source="csv",
            jurisdiction="GDPR-EU",
            received_at=timezone.now(),
        )
        for n in range(1_200)
    )

    html = officer_client.get("/dashboard/").content.decode()

    assert '<span class="figure">1,200</span><span class="label">Received</span>' in html
    assert "<td>1,200</td>" in html  # this week's row of the chart's table


def test_the_weekly_chart_is_drawn_by_a_static_script_from_json_with_a_table_of_figures(
    officer_client: Client,
) -> None:
    html = officer_client.get("/dashboard/").content.decode()

    assert '<script id="weekly-chart" type="application/json">' in html
    assert '<canvas data-chart="weekly-chart"' in html
    assert '<table class="chart-figures" data-chart-figures="weekly-chart">' in html
    assert '<script src="/static/js/charts.js" defer></script>' in html
    assert "style=" not in html
