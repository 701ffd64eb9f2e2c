import re
from datetime import UTC, datetime, timedelta

import pytest

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import ErasureRequest
from tests.reports.conftest import MAY_EXPORT, MAY_NOT_EXPORT

pytestmark = pytest.mark.django_db

START = datetime(2025, 1, 6, tzinfo=UTC)


def add(n: int, jurisdiction: str, state: str) -> None:
    ErasureRequest.objects.create(
        reference=f"DSR-2025-{n:06d}",
        source="form",
        jurisdiction=jurisdiction,
        state=state,
        received_at=START,
        completed_at=START + timedelta(days=n) if state == "completed" else None,
    )


@pytest.mark.parametrize("role", MAY_EXPORT)
def test_the_page_shows_the_figures_and_charts_drawn_by_a_static_script(
    client_as, role: str
) -> None:
    add(1, "GDPR-EU", "completed")
    add(3, "GDPR-EU", "completed")
    add(4, "CCPA", "received")

    response = client_as(role).get("/reports/metrics/")

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["metrics"].total.received == 3
    assert response.context["metrics"].total.days.median() == 2.0
    assert html.count("<canvas data-chart=") == 2
    assert '<script id="chart-jurisdiction" type="application/json">' in html
    assert '<tr><th scope="row">GDPR-EU</th><td>2</td><td>2</td><td>0</td></tr>' in html
    assert 'href="/static/reports/reports.css"' in html
    assert "style=" not in html
    assert re.findall(r"<script(?! id=\"chart-)[^>]*>", html) == [
        '<script src="/static/vendor/chartjs/chart.umd.min.js" defer>',
        '<script src="/static/js/charts.js" defer>',
    ]


def test_large_counts_have_thousands_separators(auditor_client) -> None:
    ErasureRequest.objects.bulk_create(
        ErasureRequest(
            reference=f"DSR-2025-{n:06d}", source="csv", jurisdiction="CCPA", received_at=START
        )
        for n in range(1_200)
    )

    html = auditor_client.get("/reports/metrics/").content.decode()

    assert '<span class="figure">1,200</span><span class="label">Received</span>' in html
    assert "<td>CCPA</td><td>csv</td><td>1,200</td>" in html


def test_the_period_narrows_the_figures(auditor_client) -> None:
    add(1, "GDPR-EU", "completed")

    response = auditor_client.get("/reports/metrics/?since=2025-02-01")

    assert response.context["metrics"].total.received == 0
    assert b"No request in this period." in response.content


def test_viewing_the_page_is_not_an_export(auditor_client) -> None:
    auditor_client.get("/reports/metrics/")

    assert not AuditEvent.objects.exists()


def test_a_bad_period_is_a_400(auditor_client) -> None:
    assert auditor_client.get("/reports/metrics/?until=soon").status_code == 400


@pytest.mark.parametrize("role", MAY_NOT_EXPORT)
def test_approvers_and_administrators_are_refused(client_as, role: str) -> None:
    assert client_as(role).get("/reports/metrics/").status_code == 403


def test_the_page_refuses_post(auditor_client) -> None:
    assert auditor_client.post("/reports/metrics/").status_code == 405
