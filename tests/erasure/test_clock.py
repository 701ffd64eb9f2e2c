"""The legal clock on requests: computed deadlines, one extension, overrides, safe submit."""

import importlib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.utils import timezone

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.legal.clock import (
    ClockChangeRefused,
    ExtensionRefused,
    heap_processing_time,
    request_clock_pause,
    request_clock_restart,
    request_clock_resume,
    request_due_override,
    request_extend,
)
from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest
from heapprivacy.erasure.pipeline.packing import batches_pack
from heapprivacy.refusals import ActionRefused
from tests.erasure.factories import SYSTEM, make_request

pytestmark = [pytest.mark.django_db, pytest.mark.no_heap]

RECEIVED = datetime(2026, 1, 31, 9, 30, tzinfo=UTC)


def in_march(day: int, hour: int = 10, minute: int = 0) -> time_machine.travel:
    """The clock frozen at that moment of March 2026, UTC (Monday 2 March is the first day)."""
    return time_machine.travel(datetime(2026, 3, day, hour, minute, tzinfo=UTC), tick=False)


def uk_request_paused(account, paused: time_machine.travel, resumed: time_machine.travel):
    """A UK GDPR request received on Monday 2 March at 10:00, paused and resumed then."""
    with in_march(2):
        request = make_request(account, jurisdiction="GDPR-UK")
    with paused:
        request_clock_pause(request, actor=SYSTEM)
    with resumed:
        request_clock_resume(request, actor=SYSTEM)
    request.refresh_from_db()
    return request


@time_machine.travel(datetime(2026, 2, 2, tzinfo=UTC), tick=False)
def test_a_new_request_gets_its_deadlines_computed(account) -> None:
    request = make_request(account, received_at=RECEIVED, jurisdiction="GDPR-EU")

    assert request.due_at.date().isoformat() == "2026-02-28"
    assert request.extended_due_at is None
    assert request.latest_safe_submit == request.due_at - timedelta(days=9)


@time_machine.travel(datetime(2026, 2, 2, tzinfo=UTC), tick=False)
def test_a_ccpa_request_gets_an_acknowledgement_deadline(account) -> None:
    request = make_request(account, received_at=RECEIVED, jurisdiction="CCPA")

    assert request.acknowledge_by.date().isoformat() == "2026-02-13"
    assert request.due_at.date().isoformat() == "2026-03-17"


@time_machine.travel(datetime(2026, 2, 10, tzinfo=UTC), tick=False)
def test_an_extension_inside_the_first_period_moves_the_deadline_once(account) -> None:
    request = make_request(account, received_at=RECEIVED)

    request_extend(request, actor=SYSTEM, reason="many systems to search")

    request.refresh_from_db()
    assert request.deadline.date().isoformat() == "2026-04-30"
    assert request.extension_reason == "many systems to search"
    assert AuditEvent.objects.filter(action="request.extended").exists()
    with pytest.raises(ExtensionRefused, match="already extended"):
        request_extend(request, actor=SYSTEM, reason="again")


def test_an_extension_is_refused_after_the_first_period(account) -> None:
    with time_machine.travel(datetime(2026, 2, 2, tzinfo=UTC), tick=False):
        request = make_request(account, received_at=RECEIVED)

    with (
        time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False),
        pytest.raises(ExtensionRefused, match="first period has ended"),
    ):
        request_extend(request, actor=SYSTEM, reason="too late")


def test_an_extension_needs_reasons(account) -> None:
    request = make_request(account)

    with pytest.raises(ExtensionRefused, match="reasons"):
        request_extend(request, actor=SYSTEM, reason=" ")


def test_overriding_a_deadline_needs_a_reason_and_is_audited(account) -> None:
    request = make_request(account)
    new_due = timezone.now() + timedelta(days=3)

    with pytest.raises(ActionRefused, match="reason"):
        request_due_override(request, actor=SYSTEM, due_at=new_due, reason="")
    request_due_override(request, actor=SYSTEM, due_at=new_due, reason="regulator agreed")

    event = AuditEvent.objects.get(action="request.due_overridden")
    assert event.details["to"] == new_due.isoformat()
    assert ErasureRequest.objects.get(pk=request.pk).due_at == new_due


def test_heaps_processing_time_is_learned_from_enough_history(account, settings) -> None:
    assert heap_processing_time() == timedelta(seconds=settings.HEAP_PROCESSING_TIME_DEFAULT)
    now = timezone.now()
    DeletionBatch.objects.bulk_create(
        DeletionBatch(
            account=account,
            size=1,
            payload_sha256="0" * 64,
            state="complete",
            submitted_at=now - timedelta(days=3),
            completed_at=now,
        )
        for _ in range(10)
    )

    assert heap_processing_time() == timedelta(days=3)


def test_a_request_near_its_safe_submit_date_is_sent_without_waiting_for_a_full_batch(
    account, settings
) -> None:
    settings.BATCH_LINGER = 24 * 3600
    request = make_request(account, ["near@example.com"])
    request_approve(request, actor=SYSTEM)
    ErasureRequest.objects.filter(pk=request.pk).update(
        latest_safe_submit=timezone.now() + timedelta(days=2)
    )

    (batch_id,) = batches_pack(account)

    assert DeletionBatch.objects.get(pk=batch_id).size == 1


def test_a_request_far_from_its_safe_submit_date_waits_for_its_batch(account, settings) -> None:
    settings.BATCH_LINGER = 24 * 3600
    request_approve(make_request(account, ["far@example.com"]), actor=SYSTEM)

    assert batches_pack(account) == []


def test_uk_gdpr_pause_and_resume_push_the_deadline_by_the_days_stopped(account) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=UTC), tick=False):
        request = make_request(account, jurisdiction="GDPR-UK")
        request_clock_pause(request, actor=SYSTEM)
    with time_machine.travel(datetime(2026, 3, 8, 9, tzinfo=UTC), tick=False):
        request_clock_resume(request, actor=SYSTEM)

    request.refresh_from_db()
    assert request.clock_paused_days == 6
    assert request.due_at.date().isoformat() == "2026-04-08"
    actions = AuditEvent.objects.filter(action__startswith="request.clock").values_list(
        "action", flat=True
    )
    assert list(actions) == ["request.clock_paused", "request.clock_resumed"]


def test_uk_gdpr_starts_the_month_when_identity_information_arrives(account) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=UTC), tick=False):
        request = make_request(account, jurisdiction="GDPR-UK")
    with time_machine.travel(datetime(2026, 3, 10, 10, tzinfo=UTC), tick=False):
        request_clock_restart(request, actor=SYSTEM, at=timezone.now())

    request.refresh_from_db()
    assert request.due_at.date().isoformat() == "2026-04-10"


@pytest.mark.parametrize("jurisdiction", ["GDPR-EU", "CCPA"])
def test_other_jurisdictions_neither_stop_nor_restart_the_clock(account, jurisdiction) -> None:
    request = make_request(account, jurisdiction=jurisdiction)

    with pytest.raises(ClockChangeRefused):
        request_clock_pause(request, actor=SYSTEM)
    with pytest.raises(ClockChangeRefused):
        request_clock_restart(request, actor=SYSTEM, at=timezone.now())


def test_a_paused_clock_cannot_be_paused_twice(account) -> None:
    request = make_request(account, jurisdiction="GDPR-UK")
    request_clock_pause(request, actor=SYSTEM)

    with pytest.raises(ClockChangeRefused, match="already paused"):
        request_clock_pause(request, actor=SYSTEM)


def test_a_pause_answered_the_same_day_stops_no_day(account) -> None:
    request = uk_request_paused(account, in_march(3, 10, 0), in_march(3, 10, 10))

    assert request.clock_paused_days == 0
    assert request.due_at.date().isoformat() == "2026-04-02"
    resumed = AuditEvent.objects.get(action="request.clock_resumed")
    assert resumed.details["paused_days"] == 0


def test_a_pause_from_monday_to_wednesday_stops_two_days_whatever_the_hours(account) -> None:
    request = uk_request_paused(account, in_march(2, 9), in_march(4, 11))

    assert request.clock_paused_days == 2
    assert request.due_at.date().isoformat() == "2026-04-04"


def test_paused_days_are_calendar_days_of_the_deadline_time_zone(account, settings) -> None:
    settings.DEADLINE_TIME_ZONE = "Asia/Tokyo"  # UTC+9: 4 March from 08:00 to 10:00 there
    request = uk_request_paused(account, in_march(3, 23), in_march(4, 1))

    assert request.clock_paused_days == 0


def test_a_restart_drops_the_days_stopped_before_it(account) -> None:
    request = uk_request_paused(account, in_march(3), in_march(8))
    with in_march(10):
        request_clock_restart(request, actor=SYSTEM, at=timezone.now())

    request.refresh_from_db()
    assert request.clock_paused_days == 0
    assert request.due_at.date().isoformat() == "2026-04-10"
    restarted = AuditEvent.objects.get(action="request.clock_restarted")
    assert restarted.details["paused_days"] == 0


def test_a_pause_open_at_a_restart_stops_the_days_from_the_restart_on(account) -> None:
    with in_march(2):
        request = make_request(account, jurisdiction="GDPR-UK")
    with in_march(3):
        request_clock_pause(request, actor=SYSTEM)
    with in_march(10):
        request_clock_restart(request, actor=SYSTEM, at=timezone.now())
    with in_march(12):
        request_clock_resume(request, actor=SYSTEM)

    request.refresh_from_db()
    assert request.clock_paused_days == 2
    assert request.due_at.date().isoformat() == "2026-04-12"


def test_a_restart_dated_back_keeps_the_days_stopped_after_it(account) -> None:
    request = uk_request_paused(account, in_march(10), in_march(15))
    with in_march(20):
        request_clock_restart(request, actor=SYSTEM, at=datetime(2026, 3, 5, 8, tzinfo=UTC))

    request.refresh_from_db()
    assert request.clock_paused_days == 5
    assert request.due_at.date().isoformat() == "2026-04-10"


def test_a_pause_resumed_twice_at_once_is_counted_once(account) -> None:
    with in_march(2):
        request = make_request(account, jurisdiction="GDPR-UK")
        request_clock_pause(request, actor=SYSTEM)
    stale = ErasureRequest.objects.get(pk=request.pk)
    with in_march(5):
        request_clock_resume(request, actor=SYSTEM)

        with pytest.raises(ClockChangeRefused, match="not paused"):
            request_clock_resume(stale, actor=SYSTEM)

    request.refresh_from_db()
    assert request.clock_paused_days == 3
    assert len(request.clock_pauses) == 1


def test_the_migration_reads_the_pauses_already_taken_back_from_the_audit_trail(
    account,
) -> None:
    request = uk_request_paused(account, in_march(3), in_march(8))
    kept = request.clock_pauses
    ErasureRequest.objects.filter(pk=request.pk).update(clock_pauses=[])
    migration = importlib.import_module("heapprivacy.erasure.migrations.0009_request_clock_pauses")

    migration.pauses_from_the_audit_trail(apps, SimpleNamespace(connection=connection))

    restored = ErasureRequest.objects.get(pk=request.pk).clock_pauses
    assert [[datetime.fromisoformat(moment) for moment in pause] for pause in restored] == [
        [datetime.fromisoformat(moment) for moment in pause] for pause in kept
    ]
