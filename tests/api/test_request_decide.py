"""POST …/approve and …/reject: the officer's decisions, through the same services."""

import pytest

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.lifecycle.requests import REJECTION_REASONS, request_verify
from heapprivacy.erasure.models import ErasureRequest, Subject
from tests.api.conftest import Caller, fields, problem
from tests.erasure.factories import SYSTEM, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(account: object) -> ErasureRequest:
    return make_request(account, ["alice@example.com", "bob@example.com"])


def url(request: ErasureRequest, action: str) -> str:
    return f"/api/v1/requests/{request.reference}/{action}"


def reload(request: ErasureRequest) -> ErasureRequest:
    return ErasureRequest.objects.get(pk=request.pk)


OVERRIDE = {"verification_override": "the requester signed in to our app to ask"}


def test_approving_a_verified_request_queues_the_subjects_and_answers_the_request(
    api: Caller, received: ErasureRequest
) -> None:
    request_verify(received, actor=SYSTEM, method="email_link")

    response = api.post(url(received, "approve"))

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["decision"]) == ("approved", "approved")
    assert set(Subject.objects.values_list("state", flat=True)) == {"queued"}
    event = AuditEvent.objects.get(action="request.approved")
    assert (event.actor_kind, event.details) == ("api_client", {"subjects_queued": 2})


def test_approving_an_unverified_request_needs_the_reason_for_the_override(
    api: Caller, received: ErasureRequest
) -> None:
    refused = api.post(url(received, "approve"))
    assert refused.status_code == 409
    assert "is not verified" in problem(refused)["detail"]

    response = api.post(url(received, "approve"), OVERRIDE)

    assert response.status_code == 200
    assert reload(received).verification_override == OVERRIDE["verification_override"]
    event = AuditEvent.objects.get(action="request.approved")
    assert event.details == {"subjects_queued": 2, "verification_overridden": True}


def test_approving_twice_is_a_409_problem_and_changes_nothing(
    api: Caller, received: ErasureRequest
) -> None:
    api.post(url(received, "approve"), OVERRIDE)

    response = api.post(url(received, "approve"), OVERRIDE)

    assert response.status_code == 409
    body = problem(response)
    assert body["type"].endswith("#problem-invalid-transition")
    assert body["detail"] == f"{received.reference} cannot approve from state approved"
    assert AuditEvent.objects.filter(action="request.approved").count() == 1


@pytest.mark.parametrize("code", [code for code, _ in REJECTION_REASONS])
def test_rejecting_takes_each_console_reason_code(
    api: Caller, received: ErasureRequest, code: str
) -> None:
    response = api.post(url(received, "reject"), {"reason_code": code, "note": "seen by legal"})

    assert response.status_code == 200
    assert response.json()["reason_code"] == code
    rejected = reload(received)
    assert (rejected.state, rejected.decision_note) == ("rejected", "seen by legal")
    assert set(Subject.objects.values_list("state", flat=True)) == {"rejected"}


def test_the_rejection_note_stays_off_the_audit_trail(
    api: Caller, received: ErasureRequest
) -> None:
    api.post(url(received, "reject"), {"reason_code": "other", "note": "Jo Doe called"})

    event = AuditEvent.objects.get(action="request.rejected")
    assert event.details == {"reason_code": "other"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason_code"),
        ({"reason_code": "whim"}, "reason_code"),
        (None, "reason_code"),
        ({"reason_code": "other"}, "note"),
        ({"reason_code": "other", "note": " "}, "note"),
    ],
)
def test_a_rejection_without_a_known_reason_is_refused(
    api: Caller, received: ErasureRequest, body: dict | None, field: str
) -> None:
    response = api.post(url(received, "reject"), body)

    assert response.status_code == 400
    assert field in fields(response)
    assert reload(received).state == "received"


def test_rejecting_an_approved_request_is_a_409(api: Caller, received: ErasureRequest) -> None:
    api.post(url(received, "approve"), OVERRIDE)

    response = api.post(url(received, "reject"), {"reason_code": "duplicate"})

    assert response.status_code == 409
    assert reload(received).state == "approved"


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_an_unknown_reference_is_a_404(api: Caller, action: str) -> None:
    response = api.post(f"/api/v1/requests/DSR-2026-404404/{action}", {"reason_code": "other"})

    assert response.status_code == 404
    problem(response)
