"""UK GDPR's stop-the-clock, checked against a plain day-by-day reference of the rule (clock.py).

The reference marks each stopped day one at a time and counts those on or after the clock's
start; the service counts them with date arithmetic. Any pauses at any times of day, in time
zones with and without daylight saving, must give the same deadline.
"""

import calendar
import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import QuerySet
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.legal.clock import (
    ClockChangeRefused,
    clock_fields,
    request_clock_pause,
    request_clock_restart,
    request_clock_resume,
)
from heapprivacy.erasure.models import ErasureRequest
from tests.erasure.factories import SYSTEM, make_request

Pauses = list[tuple[datetime, datetime]]

# Bounded and the same on every run: CI sees the examples a developer saw.
PROPERTIES = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe"]

zones = st.sampled_from(ZONES)
# Hypothesis takes naive bounds and puts each drawn moment in UTC.
first, last = datetime(2026, 1, 1), datetime(2027, 12, 1)  # noqa: DTZ001
moments = st.datetimes(first, last, timezones=st.just(UTC))
# Minutes apart as often as days apart: short pauses and local midnights are where it goes wrong.
gaps = st.timedeltas(timedelta(0), timedelta(hours=3)) | st.timedeltas(
    timedelta(0), timedelta(days=15)
)


@st.composite
def pauses_from(draw: st.DrawFn, first: datetime) -> Pauses:
    """Up to four pauses one after the other, the first at or after `first`."""
    pauses, moment = [], first
    for _ in range(draw(st.integers(0, 4))):
        paused = moment + draw(gaps)
        moment = paused + draw(gaps)
        pauses.append((paused, moment))
    return pauses


def local(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def reference_stopped_days(start: datetime, pauses: Pauses, zone: str) -> int:
    """Mark every day from the one a pause was asked on to the day before it was answered,
    then count the marked days on or after the clock's first day."""
    stopped = set()
    for paused, resumed in pauses:
        day = local(paused, zone)
        while day < local(resumed, zone):
            stopped.add(day)
            day += timedelta(days=1)
    return len([day for day in stopped if day >= local(start, zone)])


def reference_due(start: datetime, pauses: Pauses, zone: str) -> date:
    """The same day next month (or its last day), then one day later per stopped day."""
    first_day = local(start, zone)
    year, month = (
        (first_day.year + 1, 1) if first_day.month == 12 else (first_day.year, first_day.month + 1)
    )
    day = min(first_day.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) + timedelta(days=reference_stopped_days(start, pauses, zone))


def service_due(received: datetime, start: datetime, pauses: Pauses, zone: str) -> date:
    """The due date clock_fields gives a UK GDPR request holding these pauses, in `zone`
    (DEADLINE_TIME_ZONE)."""
    request = ErasureRequest(
        jurisdiction="GDPR-UK",
        received_at=received,
        clock_started_at=start,
        clock_pauses=[[paused.isoformat(), resumed.isoformat()] for paused, resumed in pauses],
    )
    return local(clock_fields(request, processing=timedelta(0))["due_at"], zone)


@contextlib.contextmanager
def deadline_zone(zone: str) -> Iterator[None]:
    with override_settings(DEADLINE_TIME_ZONE=zone, DEADLINE_ROLL_FORWARD=False):
        yield


@PROPERTIES
@given(data=st.data(), received=moments, start_after=gaps, zone=zones)
def test_the_due_date_is_the_references_for_any_pauses_and_clock_start(
    data: st.DataObject, received: datetime, start_after: timedelta, zone: str
) -> None:
    pauses = data.draw(pauses_from(received))
    start = received + start_after  # some pauses may come before the clock starts
    with deadline_zone(zone):
        assert service_due(received, start, pauses, zone) == reference_due(start, pauses, zone)


@PROPERTIES
@given(data=st.data(), received=moments, zone=zones)
def test_pauses_never_bring_the_due_date_earlier(
    data: st.DataObject, received: datetime, zone: str
) -> None:
    pauses = data.draw(pauses_from(received))
    with deadline_zone(zone):
        assert service_due(received, received, pauses, zone) >= service_due(
            received, received, [], zone
        )


@PROPERTIES
@given(data=st.data(), received=moments, zone=zones, share=st.floats(0, 1))
def test_a_pause_asked_and_answered_the_same_local_day_changes_nothing(
    data: st.DataObject, received: datetime, zone: str, share: float
) -> None:
    pauses = data.draw(pauses_from(received))
    paused = (pauses[-1][1] if pauses else received) + data.draw(gaps)
    next_midnight = datetime.combine(local(paused, zone) + timedelta(days=1), datetime.min.time())
    rest_of_day = next_midnight.replace(tzinfo=ZoneInfo(zone)) - paused - timedelta(microseconds=1)
    same_day = (paused, paused + rest_of_day * share)
    with deadline_zone(zone):
        assert service_due(received, received, [*pauses, same_day], zone) == service_due(
            received, received, pauses, zone
        )


@PROPERTIES
@given(data=st.data(), received=moments, earlier=gaps, later=gaps, zone=zones)
def test_a_later_clock_start_never_counts_more_stopped_days(
    data: st.DataObject, received: datetime, earlier: timedelta, later: timedelta, zone: str
) -> None:
    pauses = data.draw(pauses_from(received))
    start = received + earlier
    with deadline_zone(zone):
        days = [
            clock_fields(
                ErasureRequest(
                    jurisdiction="GDPR-UK",
                    received_at=received,
                    clock_started_at=moment,
                    clock_pauses=[[p.isoformat(), r.isoformat()] for p, r in pauses],
                ),
                processing=timedelta(0),
            )["clock_paused_days"]
            for moment in (start, start + later)
        ]
    assert days[1] <= days[0]


# Through the services and the database: any sequence of the officer's clock actions.
events = st.lists(
    st.tuples(st.sampled_from(["pause", "resume", "restart"]), gaps, st.integers(0, 100)),
    max_size=8,
)


def reference_replay(
    received: datetime, actions: list[tuple[str, datetime, datetime]]
) -> tuple[datetime, Pauses]:
    """The clock's start and the pauses taken, from the actions in order (a pause while paused
    and a resume while running do nothing)."""
    start, pauses, paused_since = received, [], None
    for kind, moment, restart_at in actions:
        if kind == "pause" and paused_since is None:
            paused_since = moment
        elif kind == "resume" and paused_since is not None:
            pauses.append((paused_since, moment))
            paused_since = None
        elif kind == "restart":
            start = restart_at
    return start, pauses


def clock_events(request: ErasureRequest) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        request_ref=request.reference, action__startswith="request.clock"
    )


def clock_act(request: ErasureRequest, kind: str, restart_at: datetime) -> None:
    with contextlib.suppress(ClockChangeRefused):
        if kind == "pause":
            request_clock_pause(request, actor=SYSTEM)
        elif kind == "resume":
            request_clock_resume(request, actor=SYSTEM)
        else:
            request_clock_restart(request, actor=SYSTEM, at=restart_at)


@pytest.mark.django_db
@pytest.mark.no_heap
@PROPERTIES
@given(received=moments, steps=events, zone=zones)
def test_the_services_give_the_references_due_date_for_any_clock_actions(
    account, received: datetime, steps: list[tuple[str, timedelta, int]], zone: str
) -> None:
    with deadline_zone(zone):
        with time_machine.travel(received, tick=False):
            request = make_request(account, jurisdiction="GDPR-UK")
        actions, moment = [], received
        for kind, gap, percent in steps:
            moment += gap
            restart_at = received + (moment - received) * percent / 100
            with time_machine.travel(moment, tick=False):
                clock_act(request, kind, restart_at)
            actions.append((kind, moment, restart_at))
        start, pauses = reference_replay(received, actions)

        request.refresh_from_db()
        assert local(request.due_at, zone) == reference_due(start, pauses, zone)
        assert request.clock_paused_days == reference_stopped_days(start, pauses, zone)
        last_change = clock_events(request).last()
        if last_change is not None:
            assert last_change.details["paused_days"] == request.clock_paused_days
