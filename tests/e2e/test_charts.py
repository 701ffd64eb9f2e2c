"""The dashboard's and the metrics' charts are drawn in a real browser under the site's CSP."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from heapprivacy.erasure.models import ErasureRequest
from tests.e2e.conftest import log_in

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Recorded from the first script the page runs, before any of the page's own.
RECORD_VIOLATIONS = """window.violations = [];
document.addEventListener("securitypolicyviolation", (event) =>
  window.violations.push(event.violatedDirective + " " + event.blockedURI));"""
SCALE = """(id) => Chart.getChart(document.querySelector(`canvas[data-chart="${id}"]`))
  .options.scales.y.type"""


@pytest.fixture
def a_busy_week_and_a_quiet_one() -> None:
    """1,000 requests this week, and one three weeks ago: 1,000 times the smallest bar."""
    now = timezone.now()
    ErasureRequest.objects.bulk_create(
        ErasureRequest(
            reference=f"DSR-2020-{n:06d}",
            source="csv",
            jurisdiction="GDPR-EU" if n else "CCPA",
            received_at=now - timedelta(weeks=3) if n == 0 else now,
        )
        for n in range(1_001)
    )


@pytest.fixture
def errors(page: Page) -> list[str]:
    seen: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            seen.append(message.text)

    page.on("console", record)
    page.on("pageerror", lambda error: seen.append(str(error)))
    page.add_init_script(RECORD_VIOLATIONS)
    return seen


def test_the_weekly_chart_is_drawn_on_a_logarithmic_scale_without_csp_violations(
    page: Page,
    live_server: LiveServer,
    officer: User,
    a_busy_week_and_a_quiet_one: None,
    errors: list[str],
) -> None:
    log_in(page, live_server.url, officer.username)

    expect(page.locator('canvas[data-chart="weekly-chart"]')).to_be_visible()
    assert page.evaluate(SCALE, "weekly-chart") == "logarithmic"
    expect(
        page.get_by_role("table", name="Requests received and completed per week")
    ).to_have_class("chart-figures visually-hidden")
    assert page.evaluate("window.violations") == []
    assert errors == []


def test_the_scale_toggle_switches_the_chart_to_a_linear_scale(
    page: Page, live_server: LiveServer, officer: User, a_busy_week_and_a_quiet_one: None
) -> None:
    log_in(page, live_server.url, officer.username)

    page.get_by_label("Logarithmic scale").uncheck()

    assert page.evaluate(SCALE, "weekly-chart") == "linear"


def test_the_metrics_charts_are_drawn_without_csp_violations(
    page: Page,
    live_server: LiveServer,
    officer: User,
    a_busy_week_and_a_quiet_one: None,
    errors: list[str],
) -> None:
    log_in(page, live_server.url, officer.username)
    page.goto(live_server.url + "/reports/metrics/")

    for chart in ("chart-jurisdiction", "chart-source"):
        expect(page.locator(f'canvas[data-chart="{chart}"]')).to_be_visible()
    assert page.evaluate(SCALE, "chart-jurisdiction") == "logarithmic"
    assert page.evaluate("window.violations") == []
    assert errors == []
