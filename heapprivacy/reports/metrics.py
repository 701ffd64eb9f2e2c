"""The metrics report: requests received, completed and rejected per jurisdiction and source,
days to respond, on-time share, extensions used. One streamed pass over the requests."""

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from heapprivacy.erasure.legal.due import DEADLINE_IN_FORCE
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.reports.csvsafe import csv_stream
from heapprivacy.reports.filters import Period
from heapprivacy.reports.register import RESPONSES, on_time, response_at

ALL = "all"
CHUNK = 5_000
FIELDS = [
    "jurisdiction",
    "source",
    "state",
    "received_at",
    "responded_at",
    "decided_at",
    "completed_at",
    "due_at",
]
CSV_COLUMNS = [
    "jurisdiction",
    "source",
    "received",
    "completed",
    "rejected",
    "cancelled",
    "pending",
    "median_days_to_respond",
    "mean_days_to_respond",
    "on_time_percent",
    "extensions_used",
]
SERIES = ("received", "completed", "rejected")


class Durations:
    """Days to respond, kept as a histogram of hundredths of a day (about 15 minutes): the
    median is exact to that, the mean exact, and memory stays flat however many requests."""

    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()
        self.total_seconds = 0.0
        self.n = 0

    def add(self, seconds: float) -> None:
        self.counts[round(seconds / 864)] += 1
        self.total_seconds += seconds
        self.n += 1

    def mean(self) -> float | None:
        return round(self.total_seconds / self.n / 86400, 1) if self.n else None

    def median(self) -> float | None:
        if not self.n:
            return None
        middle = [self._nth((self.n - 1) // 2), self._nth(self.n // 2)]
        return round(sum(middle) / 2 / 100, 1)

    def _nth(self, index: int) -> int:
        seen = 0
        for value in sorted(self.counts):
            seen += self.counts[value]
            if seen > index:
                return value
        raise IndexError(index)


@dataclass
class Tally:
    received: int = 0
    completed: int = 0
    rejected: int = 0
    cancelled: int = 0
    pending: int = 0
    extensions: int = 0
    with_deadline: int = 0
    in_time: int = 0
    days: Durations = field(default_factory=Durations)

    def add(self, request: dict[str, Any]) -> None:
        self.received += 1
        outcome = RESPONSES.get(request["state"], "pending")
        setattr(self, outcome, getattr(self, outcome) + 1)
        answered = response_at(request)
        if answered and outcome != "cancelled":
            self.days.add((answered - request["received_at"]).total_seconds())
        self.extensions += bool(request.get("extended_at"))
        verdict = on_time(request)
        self.with_deadline += verdict != ""
        self.in_time += verdict == "yes"

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.in_time / self.with_deadline, 1) if self.with_deadline else None


@dataclass
class Metrics:
    period: Period
    by_pair: dict[tuple[str, str], Tally]
    by_jurisdiction: dict[str, Tally]
    by_source: dict[str, Tally]
    total: Tally


@dataclass
class Chart:
    """Received, completed and rejected per key: a table of `tallies`, and `data`, the same
    figures as static/js/charts.js draws them (the page gives them as JSON, `element_id`)."""

    key: str
    tallies: dict[str, Tally]

    @property
    def element_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def title(self) -> str:
        return f"Requests received, completed and rejected per {self.key}"

    @property
    def data(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "x_title": self.key.capitalize(),
            "y_title": "Requests",
            "labels": list(self.tallies),
            "series": [
                {
                    "name": series,
                    "label": series.capitalize(),
                    "values": [getattr(tally, series) for tally in self.tallies.values()],
                }
                for series in SERIES
            ],
        }


def metrics_compute(period: Period) -> Metrics:
    fields = [*FIELDS, "extended_due_at", "extended_at"]
    by_pair: dict[tuple[str, str], Tally] = defaultdict(Tally)
    by_jurisdiction: dict[str, Tally] = defaultdict(Tally)
    by_source: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    requests = (
        ErasureRequest.objects.filter(period.q("received_at"))
        .values(*fields)
        .annotate(deadline_at=DEADLINE_IN_FORCE)
    )
    for request in requests.order_by().iterator(chunk_size=CHUNK):
        for tally in (
            by_pair[request["jurisdiction"], request["source"]],
            by_jurisdiction[request["jurisdiction"]],
            by_source[request["source"]],
            total,
        ):
            tally.add(request)
    return Metrics(
        period=period,
        by_pair=dict(sorted(by_pair.items())),
        by_jurisdiction=dict(sorted(by_jurisdiction.items())),
        by_source=dict(sorted(by_source.items())),
        total=total,
    )


def metrics_csv(period: Period) -> Iterator[bytes]:
    return csv_stream(metrics_rows(metrics_compute(period)))


def metrics_rows(metrics: Metrics) -> Iterator[list[Any]]:
    """Per jurisdiction and source, then per jurisdiction, per source, and over all requests."""
    yield CSV_COLUMNS
    for (jurisdiction, source), tally in metrics.by_pair.items():
        yield [jurisdiction, source, *_figures(tally)]
    for jurisdiction, tally in metrics.by_jurisdiction.items():
        yield [jurisdiction, ALL, *_figures(tally)]
    for source, tally in metrics.by_source.items():
        yield [ALL, source, *_figures(tally)]
    yield [ALL, ALL, *_figures(metrics.total)]


def _figures(tally: Tally) -> list[Any]:
    return [
        tally.received,
        tally.completed,
        tally.rejected,
        tally.cancelled,
        tally.pending,
        tally.days.median(),
        tally.days.mean(),
        tally.on_time_percent,
        tally.extensions,
    ]
