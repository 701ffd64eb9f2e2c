"""Release queued subjects now, retry a batch, approve a large one; each nudges a worker on
commit."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from heapprivacy.accounts.roles import Role
from heapprivacy.accounts.services import user_create
from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import DeletionBatch, HeapAccount, Subject
from tests.console.factories import POLL, SUBMIT, approved, enqueued, make_batch
from tests.erasure.factories import make_account
from tests.support.cast import PASSWORD, logged_in

pytestmark = pytest.mark.django_db

Batch = DeletionBatch.State
RELEASE = "/batches/release"


def retry_url(batch: DeletionBatch) -> str:
    return f"/batches/{batch.pk}/retry"


def approve_url(batch: DeletionBatch) -> str:
    return f"/batches/{batch.pk}/approve"


def denials() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="access.denied"))


# --- Release -------------------------------------------------------------------------------------


def test_release_packs_the_queued_subjects_into_a_ready_batch(
    officer_client: Client, account: HeapAccount
) -> None:
    approved(account, ["a", "b"])

    response = officer_client.post(RELEASE, {"account": account.pk})

    assert response.status_code == 302
    assert response["Location"] == "/batches/"
    batch = DeletionBatch.objects.get()
    assert (batch.state, batch.size) == (Batch.READY, 2)
    assert not Subject.objects.filter(state=Subject.State.QUEUED).exists()


def test_release_is_audited_as_the_officers_doing(
    officer_client: Client, account: HeapAccount
) -> None:
    approved(account, ["a"])

    officer_client.post(RELEASE, {"account": account.pk})

    event = AuditEvent.objects.get(action="batch.packed")
    assert event.actor_label == "olivia"
    assert event.target_id == str(DeletionBatch.objects.get().pk)


def test_release_sends_each_ready_batch_to_a_worker_only_on_commit(
    officer_client: Client, account: HeapAccount, django_capture_on_commit_callbacks
) -> None:
    approved(account, ["a"])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        officer_client.post(RELEASE, {"account": account.pk})

    assert enqueued(callbacks) == [(SUBMIT, (DeletionBatch.objects.get().pk,))]


def test_release_does_not_send_a_batch_awaiting_a_second_approval(
    officer_client: Client, account: HeapAccount, settings, django_capture_on_commit_callbacks
) -> None:
    settings.REQUIRE_SECOND_APPROVAL_ABOVE = 1
    approved(account, ["a", "b"])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = officer_client.post(RELEASE, {"account": account.pk}, follow=True)

    assert DeletionBatch.objects.get().state == Batch.AWAITING_APPROVAL
    assert enqueued(callbacks) == []
    assert "Awaiting a second approval" in response.content.decode()


def test_release_with_nothing_queued_says_so_and_packs_nothing(
    officer_client: Client, account: HeapAccount, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = officer_client.post(RELEASE, {"account": account.pk}, follow=True)

    assert "Nothing queued for acme." in response.content.decode()
    assert not DeletionBatch.objects.exists()
    assert enqueued(callbacks) == []


def test_release_takes_only_the_named_accounts_subjects(
    officer_client: Client, account: HeapAccount
) -> None:
    other = make_account("globex")
    approved(other, ["theirs"])
    approved(account, ["ours"])

    officer_client.post(RELEASE, {"account": account.pk})

    assert DeletionBatch.objects.get().account == account
    assert Subject.objects.get(value="theirs").state == Subject.State.QUEUED


@pytest.mark.parametrize("data", [{}, {"account": "x"}, {"account": "999"}])
def test_release_refuses_a_missing_or_unknown_account_with_400(
    officer_client: Client, account: HeapAccount, data: dict
) -> None:
    approved(account, ["a"])

    assert officer_client.post(RELEASE, data).status_code == 400
    assert not DeletionBatch.objects.exists()


def test_release_refuses_an_inactive_account_with_400(
    officer_client: Client, account: HeapAccount
) -> None:
    approved(account, ["a"])
    HeapAccount.objects.filter(pk=account.pk).update(is_active=False)

    assert officer_client.post(RELEASE, {"account": account.pk}).status_code == 400
    assert not DeletionBatch.objects.exists()


@pytest.mark.parametrize("role", ["approver", "auditor", "administrator"])
def test_release_is_refused_with_an_audited_403_to_who_may_not_release(
    client_as, account: HeapAccount, role: str
) -> None:
    approved(account, ["a"])

    response = client_as(role).post(RELEASE, {"account": account.pk})

    assert response.status_code == 403
    assert not DeletionBatch.objects.exists()
    assert [event.details["reason"] for event in denials()] == ["erasure.release_batch"]


def test_release_sends_the_anonymous_to_log_in(client: Client, account: HeapAccount) -> None:
    approved(account, ["a"])

    response = client.post(RELEASE, {"account": account.pk})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not DeletionBatch.objects.exists()


def test_release_answers_only_post(officer_client: Client) -> None:
    assert officer_client.get(RELEASE).status_code == 405


def test_release_without_a_csrf_token_is_refused(officer: User, account: HeapAccount) -> None:
    approved(account, ["a"])

    response = logged_in(officer, enforce_csrf_checks=True).post(RELEASE, {"account": account.pk})

    assert response.status_code == 403
    assert not DeletionBatch.objects.exists()
    assert denials() == []  # refused by the CSRF check, before any permission was looked at


# --- Retry ---------------------------------------------------------------------------------------


def test_retry_makes_an_unsent_batch_ready_and_sends_it_to_a_worker_on_commit(
    officer_client: Client, account: HeapAccount, django_capture_on_commit_callbacks
) -> None:
    batch = make_batch(account, ["a"], state=Batch.NEEDS_ATTENTION, last_error="HeapAuthError")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = officer_client.post(retry_url(batch))

    assert response["Location"] == f"/batches/{batch.pk}/"
    batch.refresh_from_db()
    assert (batch.state, batch.last_error) == (Batch.READY, "")
    assert enqueued(callbacks) == [(SUBMIT, (batch.pk,))]


def test_retry_of_a_batch_heap_accepted_polls_it_again_on_commit(
    officer_client: Client, account: HeapAccount, django_capture_on_commit_callbacks
) -> None:
    batch = make_batch(account, ["a"], state=Batch.NEEDS_ATTENTION, deletion_request_id="del-1")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        officer_client.post(retry_url(batch))

    batch.refresh_from_db()
    assert batch.state == Batch.SUBMITTED
    assert enqueued(callbacks) == [(POLL, (batch.pk,))]


def test_retry_is_audited(officer_client: Client, account: HeapAccount) -> None:
    batch = make_batch(account, ["a"], state=Batch.NEEDS_ATTENTION)

    officer_client.post(retry_url(batch))

    event = AuditEvent.objects.get(action="batch.retried")
    assert (event.actor_label, event.target_id) == ("olivia", str(batch.pk))


def test_retry_of_a_batch_that_needs_no_attention_is_a_message_and_changes_nothing(
    officer_client: Client, account: HeapAccount, django_capture_on_commit_callbacks
) -> None:
    batch = make_batch(account, ["a"], state=Batch.SUBMITTED, deletion_request_id="del-1")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = officer_client.post(retry_url(batch), follow=True)

    assert f"batch #{batch.pk} does not need attention" in response.content.decode()
    batch.refresh_from_db()
    assert batch.state == Batch.SUBMITTED
    assert enqueued(callbacks) == []
    assert not AuditEvent.objects.filter(action="batch.retried").exists()


@pytest.mark.parametrize("role", ["approver", "auditor", "administrator"])
def test_retry_is_refused_with_an_audited_403_to_who_may_not_retry(
    client_as, account: HeapAccount, role: str
) -> None:
    batch = make_batch(account, ["a"], state=Batch.NEEDS_ATTENTION)

    assert client_as(role).post(retry_url(batch)).status_code == 403
    batch.refresh_from_db()
    assert batch.state == Batch.NEEDS_ATTENTION
    assert [event.details["reason"] for event in denials()] == ["erasure.retry_batch"]


def test_retry_sends_the_anonymous_to_log_in(client: Client, account: HeapAccount) -> None:
    batch = make_batch(account, ["a"], state=Batch.NEEDS_ATTENTION)

    assert client.post(retry_url(batch)).status_code == 302
    batch.refresh_from_db()
    assert batch.state == Batch.NEEDS_ATTENTION


def test_retry_answers_only_post(officer_client: Client, account: HeapAccount) -> None:
    batch = make_batch(account, ["a"], state=Batch.NEEDS_ATTENTION)

    assert officer_client.get(retry_url(batch)).status_code == 405


def test_retry_of_an_unknown_batch_is_404(officer_client: Client) -> None:
    assert officer_client.post("/batches/999/retry").status_code == 404


def test_retry_without_a_csrf_token_is_refused(officer: User, account: HeapAccount) -> None:
    batch = make_batch(account, ["a"], state=Batch.NEEDS_ATTENTION)

    response = logged_in(officer, enforce_csrf_checks=True).post(retry_url(batch))

    assert response.status_code == 403
    batch.refresh_from_db()
    assert batch.state == Batch.NEEDS_ATTENTION


# --- Approve -------------------------------------------------------------------------------------


def test_approve_makes_the_batch_ready_and_sends_it_to_a_worker_on_commit(
    approver_client: Client,
    approver: User,
    account: HeapAccount,
    django_capture_on_commit_callbacks,
) -> None:
    batch = make_batch(account, ["a"], state=Batch.AWAITING_APPROVAL)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = approver_client.post(approve_url(batch))

    assert response["Location"] == f"/batches/{batch.pk}/"
    batch.refresh_from_db()
    assert (batch.state, batch.approved_by) == (Batch.READY, approver)
    assert enqueued(callbacks) == [(SUBMIT, (batch.pk,))]


def test_approve_is_audited(approver_client: Client, account: HeapAccount) -> None:
    batch = make_batch(account, ["a"], state=Batch.AWAITING_APPROVAL)

    approver_client.post(approve_url(batch))

    event = AuditEvent.objects.get(action="batch.approved")
    assert (event.actor_label, event.target_id) == ("april", str(batch.pk))


def test_approve_of_a_batch_not_awaiting_approval_is_a_message_and_sends_nothing(
    approver_client: Client, account: HeapAccount, django_capture_on_commit_callbacks
) -> None:
    batch = make_batch(account, ["a"], state=Batch.READY)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = approver_client.post(approve_url(batch), follow=True)

    assert f"batch #{batch.pk} is not awaiting approval" in response.content.decode()
    assert enqueued(callbacks) == []
    assert not AuditEvent.objects.filter(action="batch.approved").exists()


def test_approve_by_who_approved_one_of_its_requests_is_an_audited_403(
    account: HeapAccount, django_capture_on_commit_callbacks
) -> None:
    both = user_create("bea", PASSWORD, [Role.OFFICER, Role.APPROVER])
    batch = make_batch(account, ["a"], state=Batch.AWAITING_APPROVAL, decided_by=both)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = logged_in(both).post(approve_url(batch))

    assert response.status_code == 403
    batch.refresh_from_db()
    assert batch.state == Batch.AWAITING_APPROVAL
    assert enqueued(callbacks) == []
    (denial,) = denials()
    assert denial.actor_label == "bea"
    assert denial.details["reason"].startswith("four eyes")


@pytest.mark.parametrize("role", ["officer", "auditor", "administrator"])
def test_approve_is_refused_with_an_audited_403_to_who_may_not_approve(
    client_as, account: HeapAccount, role: str
) -> None:
    batch = make_batch(account, ["a"], state=Batch.AWAITING_APPROVAL)

    assert client_as(role).post(approve_url(batch)).status_code == 403
    batch.refresh_from_db()
    assert batch.state == Batch.AWAITING_APPROVAL
    assert [event.details["reason"] for event in denials()] == ["erasure.approve_batch"]


def test_approve_sends_the_anonymous_to_log_in(client: Client, account: HeapAccount) -> None:
    batch = make_batch(account, ["a"], state=Batch.AWAITING_APPROVAL)

    assert client.post(approve_url(batch)).status_code == 302
    batch.refresh_from_db()
    assert batch.state == Batch.AWAITING_APPROVAL


def test_approve_answers_only_post(approver_client: Client, account: HeapAccount) -> None:
    batch = make_batch(account, ["a"], state=Batch.AWAITING_APPROVAL)

    assert approver_client.get(approve_url(batch)).status_code == 405


def test_approve_of_an_unknown_batch_is_404(approver_client: Client) -> None:
    assert approver_client.post("/batches/999/approve").status_code == 404


def test_approve_without_a_csrf_token_is_refused(approver: User, account: HeapAccount) -> None:
    batch = make_batch(account, ["a"], state=Batch.AWAITING_APPROVAL)

    response = logged_in(approver, enforce_csrf_checks=True).post(approve_url(batch))

    assert response.status_code == 403
    batch.refresh_from_db()
    assert batch.state == Batch.AWAITING_APPROVAL
