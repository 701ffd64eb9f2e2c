"""Services of the legal clock: a request's deadlines, its one extension, an override.

Deadlines come from the jurisdiction's rule (jurisdictions.py, deadlines.py). The latest safe
submit is the deadline minus how long Heap takes here (learned from this installation's own
submitted → complete history) minus a margin; packing sends subjects early when it nears.

UK GDPR stops the clock while clarification asked of the subject is awaited (ICO guidance on
the right of access, "stopping the clock"): the time limit is paused from the day the
clarification is asked for and runs again from the day it arrives. The rule, in calendar days of
DEADLINE_TIME_ZONE (deadlines.stopped_days):
- a pause stops the days from the one it was asked on up to, not including, the one it was
  answered on: asked and answered the same day stops nothing, however long it took; asked on
  Monday and answered on Wednesday stops Monday and Tuesday, two days;
- only days on or after the clock's start count: a restart (identity information or fee
  arrived) starts the month again, and days stopped before it are dropped; a pause still open
  at the restart stops the days from the restart on;
- the deadlines (first and extended) are those of the clock's start, each pushed later by the
  days stopped, then rolled forward when DEADLINE_ROLL_FORWARD asks for it.
Finished pauses are kept on the request (clock_pauses), and the days are counted again from
them whenever the clock changes.
"""

import statistics
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.legal.deadlines import (
    deadlines_compute,
    end_of_day,
    local_date,
    stopped_days,
)
from heapprivacy.erasure.legal.jurisdictions import rule_for
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest
from heapprivacy.erasure.signals import request_extended
from heapprivacy.refusals import ActionRefused

# Until this many batches have completed here, Heap's processing time is taken as the default.
HISTORY_NEEDED = 10
HISTORY_WINDOW = 50


class ExtensionRefused(ActionRefused):
    pass


def heap_processing_time() -> timedelta:
    """Median submitted → complete time of the last batches, or the default without history."""
    spans = list(
        DeletionBatch.objects.filter(
            state=DeletionBatch.State.COMPLETE,
            submitted_at__isnull=False,
            completed_at__isnull=False,
        )
        .order_by("-completed_at")
        .values_list("submitted_at", "completed_at")[:HISTORY_WINDOW]
    )
    if len(spans) < HISTORY_NEEDED:
        return timedelta(seconds=settings.HEAP_PROCESSING_TIME_DEFAULT)
    return timedelta(
        seconds=statistics.median(
            (cast(datetime, done) - cast(datetime, sent)).total_seconds() for sent, done in spans
        )
    )


def latest_safe_submit(deadline: datetime, processing: timedelta | None = None) -> datetime:
    processing = heap_processing_time() if processing is None else processing
    return deadline - processing - timedelta(seconds=settings.SAFE_SUBMIT_MARGIN)


def clock_fields(request: ErasureRequest, processing: timedelta | None = None) -> dict[str, object]:
    """The computed dates of a request, from its jurisdiction and when its clock started.

    `processing` is Heap's processing time (heap_processing_time, read when not given): a bulk
    import reads it once for all the requests it creates."""
    rule = rule_for(request.jurisdiction)
    start = request.clock_started_at or request.received_at
    paused_days = stopped_days(local_date(start), clock_pauses(request))
    deadlines = deadlines_compute(rule, local_date(start), paused_days)
    due_at = end_of_day(deadlines.due)
    acknowledge = deadlines.acknowledge_by
    extended = end_of_day(deadlines.extended_due) if request.extended_at else None
    return {
        "clock_started_at": start,
        "clock_paused_days": paused_days,
        "acknowledge_by": end_of_day(acknowledge) if acknowledge else None,
        "due_at": due_at,
        "extended_due_at": extended,
        "latest_safe_submit": latest_safe_submit(extended or due_at, processing),
    }


def clock_pauses(request: ErasureRequest) -> list[tuple[datetime, datetime]]:
    """The request's finished pauses, (paused_at, resumed_at)."""
    return [
        (datetime.fromisoformat(paused), datetime.fromisoformat(resumed))
        for paused, resumed in request.clock_pauses
    ]


def request_clock_set(request: ErasureRequest) -> None:
    """Compute and store the request's deadlines (at creation, and when the clock changes)."""
    fields = clock_fields(request)
    ErasureRequest.objects.filter(pk=request.pk).update(**fields)
    for name, value in fields.items():
        setattr(request, name, value)


def request_acknowledge(request: ErasureRequest) -> None:
    """Record that the subject was told we have their request (the first time only)."""
    now = timezone.now()
    if ErasureRequest.objects.filter(pk=request.pk, acknowledged_at=None).update(
        acknowledged_at=now
    ):
        request.acknowledged_at = now


class ClockChangeRefused(ActionRefused):
    pass


def request_clock_restart(request: ErasureRequest, *, actor: Actor, at: datetime) -> None:
    """UK GDPR: the month starts when the identity information or fee asked for arrives; the
    days stopped before it no longer count."""
    rule = rule_for(request.jurisdiction)
    if not rule.clock_waits_for_identity:
        raise ClockChangeRefused(f"under {rule.name} the clock runs from receipt")
    if at < request.received_at or at > timezone.now():
        raise ClockChangeRefused("the clock can start between receipt and now only")
    with transaction.atomic():
        request.clock_started_at = at
        request_clock_set(request)
        _audit_clock(request, actor, "request.clock_restarted")


def request_clock_pause(request: ErasureRequest, *, actor: Actor) -> None:
    """UK GDPR: stop the clock while clarification asked of the subject is awaited."""
    rule = rule_for(request.jurisdiction)
    if not rule.clock_stops_for_clarification:
        raise ClockChangeRefused(f"under {rule.name} the clock does not stop")
    now = timezone.now()
    with transaction.atomic():
        if not ErasureRequest.objects.filter(
            pk=request.pk, clock_paused_at=None, state__in=ErasureRequest.OPEN_STATES
        ).update(clock_paused_at=now):
            raise ClockChangeRefused(f"{request.reference} is already paused or closed")
        request.clock_paused_at = now
        _audit_clock(request, actor, "request.clock_paused")


def request_clock_resume(request: ErasureRequest, *, actor: Actor) -> None:
    """The clarification arrived: the pause is kept, and the days it stopped push the deadline."""
    paused_at = request.clock_paused_at
    if paused_at is None:
        raise ClockChangeRefused(f"{request.reference} is not paused")
    pauses = [*request.clock_pauses, [paused_at.isoformat(), timezone.now().isoformat()]]
    with transaction.atomic():
        # Conditional on the pause read: resumed twice at once, it is kept once.
        if not ErasureRequest.objects.filter(pk=request.pk, clock_paused_at=paused_at).update(
            clock_paused_at=None, clock_pauses=pauses
        ):
            raise ClockChangeRefused(f"{request.reference} is not paused")
        request.clock_paused_at = None
        request.clock_pauses = pauses
        request_clock_set(request)
        _audit_clock(request, actor, "request.clock_resumed")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _audit_clock(request: ErasureRequest, actor: Actor, action: str) -> None:
    audit_record(
        action,
        actor=actor,
        target=request,
        request_ref=request.reference,
        details={
            "clock_started_at": _iso(request.clock_started_at),
            "paused_days": request.clock_paused_days,
            "due_at": _iso(request.due_at),
        },
    )


def request_extend(request: ErasureRequest, *, actor: Actor, reason: str) -> None:
    """Use the one extension the law allows, inside the first period, with reasons."""
    if request.extended_at is not None:
        raise ExtensionRefused(f"{request.reference} was already extended")
    if request.due_at is None or timezone.now() > request.due_at:
        raise ExtensionRefused("the first period has ended: an extension can no longer be given")
    if request.state not in ErasureRequest.OPEN_STATES:
        raise ExtensionRefused(f"{request.reference} is {request.state}")
    if not reason.strip():
        raise ExtensionRefused("an extension needs its reasons")
    with transaction.atomic():
        request.extended_at = timezone.now()
        request.extension_reason = reason
        request.save(update_fields=["extended_at", "extension_reason"])
        request_clock_set(request)
        audit_record(
            "request.extended",
            actor=actor,
            target=request,
            request_ref=request.reference,
            details={"extended_due_at": _iso(request.extended_due_at)},
        )
        request_extended.send(ErasureRequest, request=request)  # its notice, in this action


def request_due_override(
    request: ErasureRequest, *, actor: Actor, due_at: datetime, reason: str
) -> None:
    """Set a deadline by hand. It needs a reason, and the change is audited."""
    if not reason.strip():
        raise ActionRefused("overriding a computed deadline needs a reason")
    previous = request.deadline
    field = "extended_due_at" if request.extended_at else "due_at"
    with transaction.atomic():
        setattr(request, field, due_at)
        request.due_override_reason = reason
        request.latest_safe_submit = latest_safe_submit(due_at)
        request.save(update_fields=[field, "due_override_reason", "latest_safe_submit"])
        audit_record(
            "request.due_overridden",
            actor=actor,
            target=request,
            request_ref=request.reference,
            details={
                "from": previous.isoformat() if previous else None,
                "to": due_at.isoformat(),
            },
        )
