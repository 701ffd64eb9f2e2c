import pytest
from django.utils import timezone

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.lifecycle.requests import (
    ReceivedOutOfRange,
    request_approve,
    request_cancel,
    request_reject,
    request_verify,
)
from heapprivacy.erasure.lifecycle.transitions import InvalidTransition
from heapprivacy.erasure.models import ErasureRequest, Subject
from tests.erasure.factories import SYSTEM, make_request

pytestmark = [pytest.mark.django_db, pytest.mark.no_heap]


def test_a_new_request_is_received_with_a_public_reference_and_pending_subjects(account) -> None:
    request = make_request(account, ["alice@example.com", "Bob "])

    assert request.state == ErasureRequest.State.RECEIVED
    assert request.reference == f"DSR-{timezone.now().year}-000001"
    assert sorted(request.subjects.values_list("value", "state")) == [
        ("Bob ", Subject.State.PENDING),
        ("alice@example.com", Subject.State.PENDING),
    ]


def test_references_are_consecutive(account) -> None:
    first, second = make_request(account), make_request(account)

    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_a_request_received_in_the_future_is_refused(account) -> None:
    with pytest.raises(ReceivedOutOfRange):
        make_request(account, received_at=timezone.now() + timezone.timedelta(days=1))


def test_approving_queues_the_subjects_and_records_who_decided(account) -> None:
    request = make_request(account, ["a", "b"])

    assert request_approve(request, actor=SYSTEM) == 2

    request.refresh_from_db()
    assert request.state == ErasureRequest.State.APPROVED
    assert request.decision == ErasureRequest.Decision.APPROVED
    assert set(request.subjects.values_list("state", flat=True)) == {Subject.State.QUEUED}
    assert AuditEvent.objects.filter(action="request.approved", request_ref=request.reference)


def test_a_request_cannot_be_approved_twice(account) -> None:
    request = make_request(account)
    request_approve(request, actor=SYSTEM)

    with pytest.raises(InvalidTransition):
        request_approve(ErasureRequest.objects.get(pk=request.pk), actor=SYSTEM)


def test_rejecting_keeps_the_reason_and_rejects_the_subjects(account) -> None:
    request = make_request(account)

    request_reject(request, actor=SYSTEM, reason_code="identity_not_verified", note="no reply")

    request.refresh_from_db()
    assert (request.state, request.reason_code) == ("rejected", "identity_not_verified")
    assert list(request.subjects.values_list("state", flat=True)) == [Subject.State.REJECTED]


def test_verification_is_recorded_with_its_method(account) -> None:
    request = make_request(account)

    request_verify(request, actor=SYSTEM, method="email_link")

    request.refresh_from_db()
    assert request.state == ErasureRequest.State.VERIFIED
    assert request.verified_at is not None
    event = AuditEvent.objects.get(action="request.verified")
    assert event.details["method"] == "email_link"


def test_cancelling_an_approved_request_unqueues_its_subjects(account) -> None:
    request = make_request(account)
    request_approve(request, actor=SYSTEM)

    request_cancel(request, actor=SYSTEM, author=None, reason="the requester withdrew it")

    assert request.state == ErasureRequest.State.CANCELLED
    assert list(request.subjects.values_list("state", flat=True)) == [Subject.State.REJECTED]


def test_audit_events_hold_no_identity(account) -> None:
    request = make_request(account, ["secret-person@example.com"])
    request_approve(request, actor=SYSTEM)

    for event in AuditEvent.objects.all():
        assert "secret-person" not in str(event.details)
