"""POST actions on a request: verify, approve, reject, cancel, note."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.lifecycle.requests import request_verify
from heapprivacy.erasure.models import ErasureRequest, RequestNote, Subject
from tests.erasure.factories import make_account, make_request
from tests.support.cast import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def erasure_request(db: None) -> ErasureRequest:
    return make_request(make_account(), ["alice@example.com"])


@pytest.fixture
def verified_request(erasure_request: ErasureRequest) -> ErasureRequest:
    request_verify(erasure_request, actor=Actor.system("intake"), method="email_link")
    return erasure_request


def url(request: ErasureRequest, action: str) -> str:
    return f"/requests/{request.reference}/{action}"


def reload(request: ErasureRequest) -> ErasureRequest:
    return ErasureRequest.objects.get(pk=request.pk)


def test_an_officer_verifies_with_a_method_and_the_note_stays_off_the_audit_trail(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    response = officer_client.post(
        url(erasure_request, "verify"),
        {"verify-method": "document", "verify-note": "passport seen, Jo Doe"},
    )

    assert response.status_code == 302
    assert reload(erasure_request).state == ErasureRequest.State.VERIFIED
    note = RequestNote.objects.get()
    event = AuditEvent.objects.get(action="request.verified")
    assert event.details == {"method": "document", "note_id": note.pk}
    assert "Jo Doe" not in str(event.details)


def test_an_officer_approves_a_verified_request_and_the_subjects_are_queued(
    officer_client: Client, verified_request: ErasureRequest
) -> None:
    officer_client.post(url(verified_request, "approve"))

    assert reload(verified_request).state == ErasureRequest.State.APPROVED
    assert list(Subject.objects.values_list("state", flat=True)) == [Subject.State.QUEUED]


def test_an_approver_approves_a_request(
    approver_client: Client, verified_request: ErasureRequest
) -> None:
    approver_client.post(url(verified_request, "approve"))

    assert reload(verified_request).state == ErasureRequest.State.APPROVED


def test_an_unverified_request_is_not_approved_without_an_override_reason(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    response = officer_client.post(url(erasure_request, "approve"), follow=True)

    assert reload(erasure_request).state == ErasureRequest.State.RECEIVED
    assert b"is not verified" in response.content
    assert not AuditEvent.objects.filter(action="request.approved").exists()


def test_an_unverified_request_is_approved_with_an_override_reason_kept_and_audited(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    officer_client.post(
        url(erasure_request, "approve"),
        {"approve-verification_override": "the account holder wrote from the account's address"},
    )

    approved = reload(erasure_request)
    assert approved.state == ErasureRequest.State.APPROVED
    assert approved.verification_override.startswith("the account holder wrote")
    event = AuditEvent.objects.get(action="request.approved")
    assert event.details == {"subjects_queued": 1, "verification_overridden": True}


def test_the_creator_of_a_request_may_not_approve_it(officer: User) -> None:
    request = make_request(make_account(), ["a"], actor=Actor.for_user(officer))

    response = logged_in(officer).post(url(request, "approve"))

    assert response.status_code == 403
    assert reload(request).state == ErasureRequest.State.RECEIVED
    assert AuditEvent.objects.filter(action="access.denied").exists()


def test_rejecting_for_other_without_a_note_is_refused_with_the_reason(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    response = officer_client.post(
        url(erasure_request, "reject"), {"reject-reason_code": "other"}, follow=True
    )

    assert reload(erasure_request).state == ErasureRequest.State.RECEIVED
    assert b"the subject reads this note" in response.content


def test_an_officer_rejects_with_a_reason(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    officer_client.post(
        url(erasure_request, "reject"),
        {"reject-reason_code": "not_a_subject", "reject-note": "unknown"},
    )

    rejected = reload(erasure_request)
    assert (rejected.state, rejected.reason_code) == ("rejected", "not_a_subject")
    assert rejected.decision_note == "unknown"


def test_a_rejection_without_a_known_reason_is_refused(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    response = officer_client.post(
        url(erasure_request, "reject"), {"reject-reason_code": "whim"}, follow=True
    )

    assert b"Select a valid choice" in response.content
    assert reload(erasure_request).state == ErasureRequest.State.RECEIVED


def test_a_verification_with_an_unknown_method_is_refused(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    response = officer_client.post(url(erasure_request, "verify"), {"verify-method": "vibes"})

    assert response.status_code == 400
    assert not RequestNote.objects.exists()


def test_approving_twice_says_so_and_changes_nothing(
    officer_client: Client, verified_request: ErasureRequest
) -> None:
    officer_client.post(url(verified_request, "approve"))

    response = officer_client.post(url(verified_request, "approve"), follow=True)

    assert b"cannot approve from state approved" in response.content
    assert AuditEvent.objects.filter(action="request.approved").count() == 1


def test_a_refused_verification_leaves_no_note_behind(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    officer_client.post(url(erasure_request, "verify"), {"verify-method": "document"})

    officer_client.post(
        url(erasure_request, "verify"), {"verify-method": "document", "verify-note": "again"}
    )

    assert not RequestNote.objects.filter(text="again").exists()


def test_an_officer_cancels_a_request_with_a_reason_kept_as_a_note(
    officer_client: Client, officer: User, erasure_request: ErasureRequest
) -> None:
    officer_client.post(url(erasure_request, "cancel"), {"cancel-reason": "sent twice by the CRM"})

    assert reload(erasure_request).state == ErasureRequest.State.CANCELLED
    note = RequestNote.objects.get()
    assert (note.text, note.author) == ("sent twice by the CRM", officer)
    assert AuditEvent.objects.get(action="request.cancelled").details == {"note_id": note.pk}


def test_cancelling_without_a_reason_is_refused(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    response = officer_client.post(url(erasure_request, "cancel"), {}, follow=True)

    assert reload(erasure_request).state == ErasureRequest.State.RECEIVED
    assert b"This field is required" in response.content


def test_an_officer_adds_a_note_recorded_by_id(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    officer_client.post(url(erasure_request, "note"), {"text": "called the requester"})

    note = RequestNote.objects.get()
    assert note.text == "called the requester"
    assert AuditEvent.objects.get(action="request.note_added").details == {"note_id": note.pk}


def test_an_empty_note_is_refused(officer_client: Client, erasure_request: ErasureRequest) -> None:
    assert officer_client.post(url(erasure_request, "note"), {"text": ""}).status_code == 400


ACTIONS = [
    ("verify", {"verify-method": "document"}),
    ("approve", {"approve-verification_override": "x"}),
    ("reject", {"reject-reason_code": "other", "reject-note": "x"}),
    ("cancel", {"cancel-reason": "x"}),
    ("note", {"text": "x"}),
]
# The Approver decides requests (approve, reject) and does nothing else to them.
DECISIONS = {"approve", "reject"}
REFUSED = [
    (role, action, data)
    for action, data in ACTIONS
    for role in ("auditor", "approver", "administrator")
    if not (role == "approver" and action in DECISIONS)
]


@pytest.mark.parametrize(("role", "action", "data"), REFUSED)
def test_roles_without_the_permission_get_403_and_the_refusal_is_audited(
    role_clients: dict[str, Client],
    erasure_request: ErasureRequest,
    role: str,
    action: str,
    data: dict,
) -> None:
    response = role_clients[role].post(url(erasure_request, action), data)

    assert response.status_code == 403
    assert reload(erasure_request).state == ErasureRequest.State.RECEIVED
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.details["path"] == url(erasure_request, action)


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_anonymous_visitors_are_sent_to_log_in(
    client: Client, erasure_request: ErasureRequest, action: str, data: dict
) -> None:
    response = client.post(url(erasure_request, action), data)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_actions_refuse_get(
    officer_client: Client, erasure_request: ErasureRequest, action: str, data: dict
) -> None:
    assert officer_client.get(url(erasure_request, action)).status_code == 405


def test_a_post_without_a_csrf_token_is_refused(
    officer: User, erasure_request: ErasureRequest
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)

    assert client.post(url(erasure_request, "approve")).status_code == 403
    assert reload(erasure_request).state == ErasureRequest.State.RECEIVED


def test_an_unknown_reference_is_404(officer_client: Client) -> None:
    assert officer_client.post("/requests/DSR-2026-999999/approve").status_code == 404


def test_an_officer_extends_once_with_reasons(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    officer_client.post(url(erasure_request, "extend"), {"extend-reason": "complex systems"})
    response = officer_client.post(
        url(erasure_request, "extend"), {"extend-reason": "again"}, follow=True
    )

    extended = reload(erasure_request)
    assert extended.extended_due_at is not None
    assert extended.extension_reason == "complex systems"
    assert b"already extended" in response.content


def test_an_extension_without_reasons_is_refused(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    response = officer_client.post(url(erasure_request, "extend"), {"extend-reason": ""})

    assert response.status_code == 400
    assert reload(erasure_request).extended_due_at is None


@pytest.mark.parametrize("role", ["auditor", "approver", "administrator"])
def test_only_officers_extend(
    role_clients: dict[str, Client], erasure_request: ErasureRequest, role: str
) -> None:
    response = role_clients[role].post(url(erasure_request, "extend"), {"extend-reason": "x"})

    assert response.status_code == 403


def test_an_officer_pauses_and_resumes_a_uk_gdpr_clock(officer_client: Client) -> None:
    request = make_request(make_account(), jurisdiction="GDPR-UK")

    officer_client.post(url(request, "clock"), {"action": "pause"})
    assert reload(request).clock_paused_at is not None
    officer_client.post(url(request, "clock"), {"action": "resume"})

    assert reload(request).clock_paused_at is None


def test_the_clock_of_an_eu_gdpr_request_does_not_stop(officer_client: Client) -> None:
    request = make_request(make_account(), jurisdiction="GDPR-EU")

    response = officer_client.post(url(request, "clock"), {"action": "pause"}, follow=True)

    assert b"does not stop" in response.content
    assert reload(request).clock_paused_at is None


def test_an_unknown_clock_action_is_refused(officer_client: Client) -> None:
    request = make_request(make_account(), jurisdiction="GDPR-UK")

    assert officer_client.post(url(request, "clock"), {"action": "stop"}).status_code == 400


@pytest.mark.parametrize("role", ["auditor", "approver", "administrator"])
def test_only_officers_change_the_clock(role_clients: dict[str, Client], role: str) -> None:
    request = make_request(make_account(), jurisdiction="GDPR-UK")

    assert role_clients[role].post(url(request, "clock"), {"action": "pause"}).status_code == 403
