"""The figures of the dashboard, each one aggregate query."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone

from heapprivacy.erasure.legal import due
from heapprivacy.erasure.legal.due import open_with_deadline
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, StatusPoll, SubmissionAttempt
from heapprivacy.erasure.selectors import counts_by_state
from heapprivacy.heap.words import heap_error_words

WEEKS = 12
IN_FLIGHT = [
    DeletionBatch.State.AWAITING_APPROVAL,
    DeletionBatch.State.READY,
    DeletionBatch.State.SENDING,
    DeletionBatch.State.SUBMITTED,
]


@dataclass
class Week:
    week: date
    received: int
    completed: int


@dataclass
class Tile:
    """One count of the dashboard, and the list of what it counts (`href`)."""

    label: str
    count: int
    href: str
    tone: str = ""


def tiles() -> list[Tile]:
    """Requests by state, then by deadline, then the batches that wait for a person."""
    requests = reverse("console:request_list")
    by_state = counts_by_state(ErasureRequest.objects.all(), ErasureRequest.State.values)
    deadlines = deadline_counts()
    needing_attention = DeletionBatch.objects.filter(state=DeletionBatch.State.NEEDS_ATTENTION)
    return [
        *(
            Tile(label, by_state[state], f"{requests}?state={state}")
            for state, label in ErasureRequest.State.choices
        ),
        Tile("Due in 7 days", deadlines["due_in_7_days"], f"{requests}?due=7d", "warn"),
        Tile("Overdue", deadlines["overdue"], f"{requests}?due=overdue", "alert"),
        Tile(
            "Acknowledgement overdue",
            deadlines["acknowledgement_overdue"],
            f"{requests}?due=ack_overdue",
            "alert",
        ),
        Tile(
            "At risk (near latest safe submit)",
            deadlines["at_risk"],
            f"{requests}?due=at_risk",
            "warn",
        ),
        Tile(
            "Batches needing attention",
            needing_attention.count(),
            f"{reverse('console:batch_list')}?state={DeletionBatch.State.NEEDS_ATTENTION}",
            "alert",
        ),
    ]


def deadline_counts() -> dict[str, int]:
    """Open requests due within 7 days, overdue, and at risk (near their latest safe submit)."""
    now = timezone.now()
    return open_with_deadline(ErasureRequest.objects.all()).aggregate(
        due_in_7_days=Count("pk", filter=due.due_soon(now)),
        overdue=Count("pk", filter=due.overdue(now)),
        at_risk=Count("pk", filter=due.at_risk(now)),
        acknowledgement_overdue=Count("pk", filter=due.acknowledgement_overdue(now)),
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


def weekly_counts() -> list[Week]:
    """Requests received and completed per week (starting Monday), the last WEEKS weeks."""
    since = timezone.now() - timedelta(weeks=WEEKS)
    received = _per_week("received_at", since)
    completed = _per_week("completed_at", since)
    weeks = [(since + timedelta(weeks=n + 1)).date() for n in range(WEEKS)]
    weeks = [week - timedelta(days=week.weekday()) for week in weeks]
    return [Week(week, received.get(week, 0), completed.get(week, 0)) for week in weeks]


def weekly_chart(weeks: list[Week]) -> dict[str, Any]:
    """The weekly figures as static/js/charts.js draws them (the page gives them as JSON)."""
    return {
        "title": "Requests received and completed per week",
        "x_title": "Week starting",
        "y_title": "Requests",
        "labels": [f"{week.week.day} {week.week:%b}" for week in weeks],
        "series": [
            {"name": "received", "label": "Received", "values": [w.received for w in weeks]},
            {"name": "completed", "label": "Completed", "values": [w.completed for w in weeks]},
        ],
    }


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
