"""Retention: a closed request past RETENTION_DAYS keeps its evidence, loses its personal data."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from celery.schedules import crontab
from django.contrib.auth.models import User
from django.utils import timezone

from heapprivacy.api.models import IdempotencyRecord
from heapprivacy.api.services import api_client_create
from heapprivacy.audit.chain import verify_chain
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.selectors import audit_events_iter
from heapprivacy.erasure.lifecycle.requests import request_approve, request_cancel, request_reject
from heapprivacy.erasure.models import (
    DeletionBatch,
    ErasureRequest,
    HeapAccount,
    RequestNote,
    StatusPoll,
    Subject,
    SubmissionAttempt,
)
from heapprivacy.erasure.pipeline.polling import batch_poll
from heapprivacy.erasure.pipeline.submission import batch_submit
from heapprivacy.erasure.pipeline.sweeps import sweeps_run
from heapprivacy.erasure.records import retention
from heapprivacy.erasure.records.retention import REMOVED, requests_pseudonymise_expired
from heapprivacy.erasure.tasks import apply_retention
from heapprivacy.notifications.services import notification_send, notifications_sweep
from heapprivacy.pseudonyms import subject_pseudonym
from heapprivacy.reports.certificates import certificate_issue
from heapprivacy.reports.models import Certificate
from tests.erasure.factories import SYSTEM, make_request
from tests.erasure.test_secrets import every_row_of_every_table

pytestmark = pytest.mark.django_db

EMAIL = "alice.retention@example.com"
DEVICE = "alice-device-Ω-4242"
NOTE = f"Phoned {EMAIL} to confirm"
HEAP_ERROR = f"identity {DEVICE} could not be parsed"
PERSONAL = [EMAIL, DEVICE, "Phoned", "could not be parsed", "Alice asked", "Alice's lawyer"]
RETENTION_DAYS = 730
# Fields retention replaces; every other column of the request must stay as it was.
REPLACED = {
    "requester_email",
    "decision_note",
    "extension_reason",
    "due_override_reason",
    "verification_override",
    "pseudonymised_at",
}


@pytest.fixture(autouse=True)
def _policy(settings: Any) -> None:
    settings.RETENTION_DAYS = RETENTION_DAYS
    settings.BATCH_LINGER = 0


def complete(*requests: ErasureRequest) -> None:
    """Approve the requests, send them to the sandbox in one batch, and see Heap confirm it."""
    for request in requests:
        request_approve(request, actor=SYSTEM)
    sweeps_run(submit=batch_submit, poll=batch_poll)
    sweeps_run(submit=batch_submit, poll=batch_poll)
    for request in requests:
        request.refresh_from_db()
        assert request.state == ErasureRequest.State.COMPLETED
    notifications_sweep(send=notification_send)  # the completion emails go, as beat sends them


@pytest.fixture
def alice(account: HeapAccount, officer: User) -> ErasureRequest:
    """A completed request with personal data in every place retention must reach."""
    request = make_request(account, [DEVICE, EMAIL], requester_email=EMAIL, external_ref="T-7")
    complete(request)
    RequestNote.objects.create(request=request, author=officer, text=NOTE)
    ErasureRequest.objects.filter(pk=request.pk).update(
        extension_reason="Alice asked for copies first",
        due_override_reason="Alice's lawyer called",
        verification_override="Alice's lawyer vouched for her",
    )
    SubmissionAttempt.objects.update(message=HEAP_ERROR)
    StatusPoll.objects.update(message=HEAP_ERROR)
    DeletionBatch.objects.update(last_error=HEAP_ERROR)
    certificate_issue(request.reference, actor=SYSTEM)
    request.refresh_from_db()
    return request


@contextmanager
def days_later(days: int) -> Iterator[None]:
    with time_machine.travel(timezone.now() + timedelta(days=days), tick=False):
        yield


def evidence() -> dict[str, list[dict[str, Any]]]:
    """Every row retention must leave as it is: dates, decisions, Heap's evidence."""
    kept = [f.attname for f in ErasureRequest._meta.concrete_fields if f.name not in REPLACED]
    return {
        "requests": list(ErasureRequest.objects.order_by("pk").values(*kept)),
        "subjects": list(
            Subject.objects.order_by("pk").values(
                "kind", "state", "value_hmac", "batch_id", "queued_at", "request_id"
            )
        ),
        "batches": list(
            DeletionBatch.objects.order_by("pk").values(
                "deletion_request_id",
                "payload_sha256",
                "state",
                "size",
                "submitted_at",
                "completed_at",
                "attempts",
                "polls",
                "last_status",
            )
        ),
        "attempts": list(
            SubmissionAttempt.objects.order_by("pk").values(
                "number",
                "started_at",
                "finished_at",
                "outcome",
                "error_class",
                "http_status",
                "deletion_request_id",
                "response_sha256",
            )
        ),
        "polls": list(StatusPoll.objects.order_by("pk").values("at", "http_status", "status")),
        "notes": list(RequestNote.objects.order_by("pk").values("author_id", "created_at")),
        "certificates": list(Certificate.objects.order_by("pk").values("body", "sha256")),
    }


def test_a_request_past_retention_keeps_its_evidence_and_loses_every_personal_datum(
    alice: ErasureRequest,
) -> None:
    before = evidence()
    assert all(text in every_row_of_every_table() for text in (EMAIL, DEVICE, NOTE, HEAP_ERROR))

    with days_later(RETENTION_DAYS + 1):
        apply_retention()

    dump = every_row_of_every_table()
    assert [text for text in PERSONAL if text in dump] == []
    assert evidence() == before
    assert verify_chain(audit_events_iter()) is None
    alice.refresh_from_db()
    assert alice.requester_email == f"hmac:{subject_pseudonym(EMAIL)}"
    assert (
        alice.extension_reason,
        alice.due_override_reason,
        alice.verification_override,
    ) == (REMOVED, REMOVED, REMOVED)
    assert alice.pseudonymised_at is not None
    assert sorted(alice.subjects.values_list("value", flat=True)) == sorted(
        f"hmac:{subject_pseudonym(value)}" for value in (DEVICE, EMAIL)
    )
    assert list(alice.notes.values_list("text", flat=True)) == [REMOVED]


def test_the_pseudonymisation_is_audited_once_with_counts_only(alice: ErasureRequest) -> None:
    with days_later(RETENTION_DAYS + 1):
        apply_retention()

    [event] = AuditEvent.objects.filter(action="request.pseudonymised")
    assert (event.request_ref, event.actor_label) == (alice.reference, "retention")
    assert event.details == {
        "closed_at": alice.completed_at.isoformat(),
        "retention_days": RETENTION_DAYS,
        "subjects": 2,
        "notes": 1,
        "fields_cleared": [
            "requester_email",
            "extension_reason",
            "due_override_reason",
            "verification_override",
        ],
        "heap_messages_cleared": 3,
    }


def test_a_new_request_for_an_erased_identity_is_flagged_after_retention(
    alice: ErasureRequest, account: HeapAccount
) -> None:
    with days_later(RETENTION_DAYS + 1):
        apply_retention()
        again = make_request(account, [DEVICE, "someone-else"])

    flags = dict(again.subjects.values_list("value", "previously_erased"))
    assert flags == {DEVICE: True, "someone-else": False}


def test_running_it_twice_changes_nothing_the_second_time(alice: ErasureRequest) -> None:
    with days_later(RETENTION_DAYS + 1):
        assert requests_pseudonymise_expired() == 1
        dump = every_row_of_every_table()

        assert requests_pseudonymise_expired() == 0

        assert every_row_of_every_table() == dump


def test_requests_are_read_in_chunks_until_none_is_left(
    account: HeapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "REQUEST_CHUNK", 2)
    requests = [make_request(account, [f"user-{n}"], requester_email=EMAIL) for n in range(5)]
    for request in requests:
        request_cancel(request, actor=SYSTEM, author=None, reason="the requester withdrew it")

    with days_later(RETENTION_DAYS + 1):
        assert requests_pseudonymise_expired() == 5

    assert not ErasureRequest.objects.filter(pseudonymised_at=None).exists()
    assert AuditEvent.objects.filter(action="request.pseudonymised").count() == 5


def test_a_request_inside_the_retention_period_is_untouched(alice: ErasureRequest) -> None:
    dump = every_row_of_every_table()

    with days_later(RETENTION_DAYS - 1):
        apply_retention()

    assert every_row_of_every_table() == dump


def test_open_requests_are_never_pseudonymised(account: HeapAccount) -> None:
    received = make_request(account, ["bob"], requester_email=EMAIL)
    approved = make_request(account, ["carol"], requester_email=EMAIL)
    request_approve(approved, actor=SYSTEM)

    with days_later(10 * RETENTION_DAYS):
        assert requests_pseudonymise_expired() == 0

    assert list(ErasureRequest.objects.values_list("requester_email", flat=True)) == [EMAIL] * 2
    assert {received.pk, approved.pk} == set(
        ErasureRequest.objects.filter(pseudonymised_at=None).values_list("pk", flat=True)
    )


def test_a_rejected_request_counts_from_its_decision(account: HeapAccount) -> None:
    request = make_request(account, [DEVICE], requester_email=EMAIL)
    with days_later(100):
        request_reject(request, actor=SYSTEM, reason_code="unverified", note="Alice asked twice")

    with days_later(100 + RETENTION_DAYS - 1):
        assert requests_pseudonymise_expired() == 0
    with days_later(100 + RETENTION_DAYS + 1):
        assert requests_pseudonymise_expired() == 1

    request.refresh_from_db()
    assert (request.decision, request.reason_code) == ("rejected", "unverified")
    assert (request.decision_note, request.requester_email) == (
        REMOVED,
        f"hmac:{subject_pseudonym(EMAIL)}",
    )


def test_a_cancelled_request_counts_from_its_cancellation_event(account: HeapAccount) -> None:
    request = make_request(account, [DEVICE], requester_email=EMAIL)
    with days_later(400):
        request_cancel(request, actor=SYSTEM, author=None, reason="the requester withdrew it")

    with days_later(400 + RETENTION_DAYS - 1):
        assert requests_pseudonymise_expired() == 0
    with days_later(400 + RETENTION_DAYS + 1):
        assert requests_pseudonymise_expired() == 1


def test_heap_messages_of_a_shared_batch_wait_for_its_last_request(
    account: HeapAccount,
) -> None:
    first = make_request(account, [DEVICE], requester_email=EMAIL)
    second = make_request(account, ["dave"])
    complete(first, second)
    ErasureRequest.objects.filter(pk=second.pk).update(
        completed_at=second.completed_at + timedelta(days=365)
    )
    SubmissionAttempt.objects.update(message=HEAP_ERROR)

    with days_later(RETENTION_DAYS + 1):
        assert requests_pseudonymise_expired() == 1
    assert list(SubmissionAttempt.objects.values_list("message", flat=True)) == [HEAP_ERROR]

    with days_later(RETENTION_DAYS + 366):
        assert requests_pseudonymise_expired() == 1
    assert list(SubmissionAttempt.objects.values_list("message", flat=True)) == [""]
    assert verify_chain(audit_events_iter()) is None


def test_a_request_with_a_subject_still_on_its_way_to_heap_is_skipped(
    alice: ErasureRequest,
) -> None:
    """Not a state the pipeline produces; if it ever does, the value Heap may get stays whole."""
    alice.subjects.filter(value=DEVICE).update(state=Subject.State.QUEUED)

    with days_later(RETENTION_DAYS + 1):
        assert requests_pseudonymise_expired() == 0

    assert alice.subjects.filter(value=DEVICE).exists()


def test_idempotency_records_older_than_retention_are_deleted(db: None) -> None:
    client, _ = api_client_create(name="crm", scopes=["requests:create"], actor=SYSTEM)
    old = IdempotencyRecord.objects.create(
        client=client, key="old", request_hash="0" * 64, response_status=201, response_body="{}"
    )
    with days_later(RETENTION_DAYS):
        recent = IdempotencyRecord.objects.create(
            client=client, key="new", request_hash="1" * 64, response_status=201, response_body="{}"
        )

    with days_later(RETENTION_DAYS + 1):
        apply_retention()

    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk != recent.pk
    [event] = AuditEvent.objects.filter(action="retention.idempotency_records_deleted")
    assert event.details == {"records": 1, "retention_days": RETENTION_DAYS}


def test_beat_runs_the_retention_task_daily_at_half_past_two(settings: Any) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["erasure-retention"]

    assert entry["task"] == apply_retention.name
    assert entry["schedule"] == crontab(hour=2, minute=30)
