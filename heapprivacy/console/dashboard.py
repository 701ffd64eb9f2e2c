"""The figures of the dashboard, each one aggregate query."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from heapprivacy.erasure.legal import due
from heapprivacy.erasure.legal.due import open_with_deadline
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, StatusPoll, SubmissionAttempt
from heapprivacy.erasure.selectors import counts_by_state
from heapprivacy.heap.words import heap_error_words

WEEKS = 12
CHART_HEIGHT = 120
BAR_WIDTH = 14
WEEK_WIDTH = 2 * BAR_WIDTH + 8
CHART_WIDTH = WEEKS * WEEK_WIDTH
IN_FLIGHT = [
    DeletionBatch.State.AWAITING_APPROVAL,
    DeletionBatch.State.READY,
    DeletionBatch.State.SENDING,
    DeletionBatch.State.SUBMITTED,
]


@dataclass
class WeekBar:
    week: date
    received: int
    completed: int
    x: int
    received_height: int
    completed_height: int

    @property
    def received_y(self) -> int:
        return CHART_HEIGHT - self.received_height

    @property
    def completed_y(self) -> int:
        return CHART_HEIGHT - self.completed_height


def requests_by_state() -> dict[str, int]:
    counts = counts_by_state(ErasureRequest.objects.all(), ErasureRequest.State.values)
    return {label: counts[state] for state, label in ErasureRequest.State.choices}


def deadline_counts() -> dict[str, int]:
    """Open requests due within 7 days, overdue, and at risk (near their latest safe submit)."""
    now = timezone.now()
    return open_with_deadline(ErasureRequest.objects.all()).aggregate(
        due_in_7_days=Count("pk", filter=due.due_soon(now)),
        overdue=Count("pk", filter=due.overdue(now)),
        at_risk=Count("pk", filter=due.at_risk(now)),
    )


def batches_in_flight(limit: int = 20) -> list[DeletionBatch]:
    batches = DeletionBatch.objects.filter(state__in=IN_FLIGHT).select_related("account")
    return list(batches.order_by("created_at")[:limit])


def last_heap_errors(limit: int = 10) -> list[dict[str, object]]:
    failed = ~Q(
        outcome__in=[SubmissionAttempt.Outcome.ACCEPTED, SubmissionAttempt.Outcome.IN_FLIGHT]
    )
    attempts = SubmissionAttempt.objects.filter(failed).order_by("-started_at")[:limit]
    polls = StatusPoll.objects.exclude(error_class="").order_by("-at")[:limit]
    errors: list[dict[str, Any]] = [
        {"at": a.started_at, "batch": a.batch_id, "call": "Sending the deletion",
         "status": a.http_status,
         "error": heap_error_words(a.error_class) if a.error_class else a.get_outcome_display()}
        for a in attempts
    ] + [
        {"at": p.at, "batch": p.batch_id, "call": "Checking its status", "status": p.http_status,
         "error": heap_error_words(p.error_class)}
        for p in polls
    ]  # fmt: skip
    return sorted(errors, key=lambda error: error["at"], reverse=True)[:limit]


def weekly_chart() -> list[WeekBar]:
    """Requests received and completed per week, last WEEKS weeks, scaled for an SVG chart."""
    since = timezone.now() - timedelta(weeks=WEEKS)
    received = _per_week("received_at", since)
    completed = _per_week("completed_at", since)
    weeks = [(since + timedelta(weeks=n + 1)).date() for n in range(WEEKS)]
    weeks = [week - timedelta(days=week.weekday()) for week in weeks]
    peak = max([*received.values(), *completed.values(), 1])
    return [
        WeekBar(
            week=week,
            received=received.get(week, 0),
            completed=completed.get(week, 0),
            x=index * WEEK_WIDTH,
            received_height=round(CHART_HEIGHT * received.get(week, 0) / peak),
            completed_height=round(CHART_HEIGHT * completed.get(week, 0) / peak),
        )
        for index, week in enumerate(weeks)
    ]


def median_days_to_complete(days: int = 90) -> float | None:
    """The median, found by the database: sorted spans, the middle one or two read."""
    since = timezone.now() - timedelta(days=days)
    spans = (
        ErasureRequest.objects.filter(completed_at__gte=since)
        .annotate(span=ExpressionWrapper(F("completed_at") - F("received_at"), DurationField()))
        .order_by("span")
        .values_list("span", flat=True)
    )
    count = spans.count()
    if not count:
        return None
    middle = list(spans[(count - 1) // 2 : count // 2 + 1])
    return round(sum(span.total_seconds() for span in middle) / len(middle) / 86400, 1)


def _per_week(field: str, since: object) -> dict[date, int]:
    rows = (
        ErasureRequest.objects.filter(**{f"{field}__gte": since})
        .annotate(week=TruncWeek(field))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["week"].date(): row["n"] for row in rows}
