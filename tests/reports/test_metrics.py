import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.reports.filters import Period
from heapprivacy.reports.metrics import (
    CSV_COLUMNS,
    Chart,
    Durations,
    metrics_compute,
    metrics_csv,
)

pytestmark = pytest.mark.django_db

ALL_TIME = Period()

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def add(n: int, jurisdiction: str, source: str, state: str, days: float | None = None, **kw):
    """A request received at START + n hours, answered `days` later (completed or rejected)."""
    received = START + timedelta(hours=n)
    answered = received + timedelta(days=days) if days is not None else None
    fields = {
        "completed_at": answered if state == "completed" else None,
        "decided_at": answered if state == "rejected" else None,
        **kw,
    }
    return ErasureRequest.objects.create(
        reference=f"DSR-2025-{n:06d}",
        source=source,
        jurisdiction=jurisdiction,
        state=state,
        received_at=received,
        **fields,
    )


@pytest.fixture
def requests() -> None:
    due = START + timedelta(days=30)
    add(1, "GDPR-EU", "form", "completed", 1, due_at=due)
    add(2, "GDPR-EU", "form", "completed", 2, due_at=due)
    add(3, "GDPR-EU", "csv", "rejected", 6, due_at=START)  # answered after its deadline
    add(4, "GDPR-EU", "csv", "received")
    add(5, "CCPA", "api", "completed", 5)  # no deadline: not judged on time
    add(6, "CCPA", "api", "cancelled")


def csv_table(period: Period = ALL_TIME) -> dict[tuple[str, str], dict[str, str]]:
    text = b"".join(metrics_csv(period)).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == CSV_COLUMNS
    return {(row["jurisdiction"], row["source"]): row for row in reader}


def test_counts_per_jurisdiction_and_source_with_totals(requests) -> None:
    table = csv_table()

    def counts(key: tuple[str, str]) -> list[str]:
        row = table[key]
        return [row[name] for name in ("received", "completed", "rejected", "cancelled", "pending")]

    assert list(table) == [
        ("CCPA", "api"),
        ("GDPR-EU", "csv"),
        ("GDPR-EU", "form"),
        ("CCPA", "all"),
        ("GDPR-EU", "all"),
        ("all", "api"),
        ("all", "csv"),
        ("all", "form"),
        ("all", "all"),
    ]
    assert counts(("GDPR-EU", "form")) == ["2", "2", "0", "0", "0"]
    assert counts(("GDPR-EU", "all")) == ["4", "2", "1", "0", "1"]
    assert counts(("CCPA", "all")) == ["2", "1", "0", "1", "0"]
    assert counts(("all", "all")) == ["6", "3", "1", "1", "1"]


def test_days_to_respond_and_on_time_share(requests) -> None:
    table = csv_table()

    gdpr, total = table["GDPR-EU", "all"], table["all", "all"]
    assert (gdpr["median_days_to_respond"], gdpr["mean_days_to_respond"]) == ("2.0", "3.0")
    assert (total["median_days_to_respond"], total["mean_days_to_respond"]) == ("3.5", "3.5")
    assert gdpr["on_time_percent"] == "66.7"  # 2 of the 3 answered with a deadline
    assert table["CCPA", "api"]["on_time_percent"] == ""  # none had a deadline
    assert table["CCPA", "api"]["median_days_to_respond"] == "5.0"


def test_extensions_used_are_counted(requests) -> None:
    ErasureRequest.objects.filter(reference="DSR-2025-000001").update(
        extended_at=START, extended_due_at=START + timedelta(days=90)
    )

    metrics = metrics_compute(Period())

    assert metrics.total.extensions == 1
    assert csv_table()["all", "all"]["extensions_used"] == str(metrics.total.extensions)


def test_the_period_selects_by_date_received(requests) -> None:
    add(100, "GDPR-UK", "form", "received")  # received four days later

    table = csv_table(Period(since=date(2025, 1, 10)))

    assert table["all", "all"]["received"] == "1"
    assert ("GDPR-UK", "form") in table


def test_nothing_received_gives_a_total_row_of_zeros() -> None:
    table = csv_table()

    assert list(table) == [("all", "all")]
    assert table["all", "all"]["received"] == "0"
    assert table["all", "all"]["median_days_to_respond"] == ""


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    durations = Durations()
    for days in (4, 1, 3, 10):
        durations.add(days * 86400)

    assert (durations.median(), durations.mean()) == (3.5, 4.5)


def test_durations_keep_one_counter_per_hundredth_of_a_day_however_many() -> None:
    durations = Durations()
    for n in range(10_000):
        durations.add(86400 + n % 7)  # a few seconds apart: the same hundredth of a day

    assert len(durations.counts) == 1
    assert durations.median() == 1.0


def test_a_chart_gives_received_completed_and_rejected_per_key(requests) -> None:
    data = Chart("jurisdiction", metrics_compute(Period()).by_jurisdiction).data

    assert data["labels"] == ["CCPA", "GDPR-EU"]
    assert {series["name"]: series["values"] for series in data["series"]} == {
        "received": [2, 4],
        "completed": [1, 2],
        "rejected": [0, 1],
    }
    assert (data["x_title"], data["y_title"]) == ("Jurisdiction", "Requests")
