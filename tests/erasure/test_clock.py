"""The legal clock on requests: computed deadlines, one extension, overrides, safe submit."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
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
