"""POST actions on a request: verify, approve, reject, cancel, note."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import ErasureRequest, RequestNote, Subject
from tests.erasure.factories import make_account, make_request
from tests.support.cast import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def erasure_request(db: None) -> ErasureRequest:
    return make_request(make_account(), ["alice@example.com"])


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


def test_an_officer_approves_and_the_subjects_are_queued(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    officer_client.post(url(erasure_request, "approve"))

    assert reload(erasure_request).state == ErasureRequest.State.APPROVED
    assert list(Subject.objects.values_list("state", flat=True)) == [Subject.State.QUEUED]


def test_the_creator_of_a_request_may_not_approve_it(officer: User) -> None:
    request = make_request(make_account(), ["a"], actor=Actor.for_user(officer))

    response = logged_in(officer).post(url(request, "approve"))

    assert response.status_code == 403
    assert reload(request).state == ErasureRequest.State.RECEIVED
    assert AuditEvent.objects.filter(action="access.denied").exists()


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
    response = officer_client.post(url(erasure_request, "reject"), {"reject-reason_code": "whim"})

    assert response.status_code == 400
    assert reload(erasure_request).state == ErasureRequest.State.RECEIVED


def test_a_verification_with_an_unknown_method_is_refused(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    response = officer_client.post(url(erasure_request, "verify"), {"verify-method": "vibes"})

    assert response.status_code == 400
    assert not RequestNote.objects.exists()


def test_approving_twice_says_so_and_changes_nothing(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    officer_client.post(url(erasure_request, "approve"))

    response = officer_client.post(url(erasure_request, "approve"), follow=True)

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


def test_an_officer_cancels_a_request(
    officer_client: Client, erasure_request: ErasureRequest
) -> None:
    officer_client.post(url(erasure_request, "cancel"))

    assert reload(erasure_request).state == ErasureRequest.State.CANCELLED


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
    ("approve", {}),
    ("reject", {"reject-reason_code": "other"}),
    ("cancel", {}),
    ("note", {"text": "x"}),
]


@pytest.mark.parametrize(("action", "data"), ACTIONS)
@pytest.mark.parametrize("role", ["auditor", "approver", "administrator"])
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
