"""/batches/<id>/: a batch's fields, its Heap evidence, its members and the requests it serves."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from heapprivacy.accounts.roles import Role
from heapprivacy.accounts.services import user_create
from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import DeletionBatch, StatusPoll, SubmissionAttempt
from tests.console.factories import batch_with_evidence, make_batch
from tests.erasure.factories import API_KEY
from tests.support.cast import PASSWORD, ROLES, logged_in

pytestmark = pytest.mark.django_db

Batch = DeletionBatch.State
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def url(batch: DeletionBatch) -> str:
    return f"/batches/{batch.pk}/"


def test_it_shows_every_field_of_the_batch(officer_client: Client, account, officer) -> None:
    batch = make_batch(
        account,
        ["a", "b"],
        state=Batch.NEEDS_ATTENTION,
        deletion_request_id="del-42",
        attempts=3,
        polls=2,
        last_status="pending",
        last_error="HeapBadRequest: 400",
        approved_by=officer,
        approved_at=timezone.now(),
    )

    page = officer_client.get(url(batch)).content.decode()

    assert "Needs attention" in page
    assert "2 members" in page
    assert batch.payload_sha256 in page
    assert "del-42" in page
    assert "HeapBadRequest: 400" in page
    assert "pending" in page
    assert "olivia at" in page
    assert "acme" in page


def test_it_shows_each_attempt_with_status_code_what_failed_and_escaped_message(
    officer_client: Client, account
) -> None:
    batch = make_batch(account, ["a"])
    SubmissionAttempt.objects.create(
        batch=batch,
        number=1,
        started_at=timezone.now(),
        outcome=SubmissionAttempt.Outcome.PERMANENT,
        http_status=400,
        error_class="HeapBadRequest",
        message=SCRIPT,
    )

    page = officer_client.get(url(batch)).content.decode()

    assert "<td>400</td>" in page
    assert "Heap refused the call as invalid" in page
    assert "HeapBadRequest" not in page
    assert "Permanent failure" in page
    assert ESCAPED in page
    assert SCRIPT not in page


def test_it_shows_each_status_poll_with_its_message_escaped(
    officer_client: Client, account
) -> None:
    batch = make_batch(account, ["a"], state=Batch.SUBMITTED, deletion_request_id="del-1")
    StatusPoll.objects.create(
        batch=batch,
        at=timezone.now(),
        http_status=502,
        error_class="HeapServerError",
        message=SCRIPT,
    )

    page = officer_client.get(url(batch)).content.decode()

    assert "<td>502</td>" in page
    assert "Heap failed on its side (server error). It is retried on its own" in page
    assert "HeapServerError" not in page
    assert ESCAPED in page
    assert SCRIPT not in page


def test_it_counts_members_by_state_and_lists_only_the_first_50(
    officer_client: Client, account
) -> None:
    batch = batch_with_evidence(account, 60)

    page = officer_client.get(url(batch)).content.decode()

    assert "60 submitted to heap" in page
    assert all(f"user-{n}@example.com" in page for n in range(50))
    assert "user-50@example.com" not in page
    assert "The first 50 of 60 members" in page


def test_it_marks_invisible_characters_of_an_identity(officer_client: Client, account) -> None:
    batch = make_batch(account, ["al\u200bice", "<b>bob</b>"])

    page = officer_client.get(url(batch)).content.decode()

    assert "U+200B" in page
    assert "al\u200bice" not in page
    assert "&lt;b&gt;bob&lt;/b&gt;" in page


def test_it_links_the_requests_it_serves(officer_client: Client, account) -> None:
    batch = make_batch(account, ["a"])
    reference = batch.members.get().request.reference

    page = officer_client.get(url(batch)).content.decode()

    assert page.count(f'href="/requests/{reference}/"') == 2  # its member's row and the list


def test_it_says_when_more_requests_are_served_than_listed(officer_client: Client, account) -> None:
    batch = batch_with_evidence(account, 101)

    page = officer_client.get(url(batch)).content.decode()

    assert "DSR-2000-000099" in page
    assert 'href="/requests/DSR-2000-000100/"' not in page
    assert "And more" in page


def test_it_links_the_payload_preview_and_download(officer_client: Client, account) -> None:
    batch = make_batch(account, ["a"])

    page = officer_client.get(url(batch)).content.decode()

    assert f'href="/batches/{batch.pk}/payload.json?inline=1"' in page
    assert f'href="/batches/{batch.pk}/payload.json" download' in page


def test_an_officer_may_retry_a_batch_that_needs_attention(officer_client: Client, account) -> None:
    batch = make_batch(account, ["a"], state=Batch.NEEDS_ATTENTION)

    page = officer_client.get(url(batch)).content.decode()

    assert f'action="/batches/{batch.pk}/retry"' in page


def test_there_is_no_retry_for_a_batch_that_does_not_need_attention(
    officer_client: Client, account
) -> None:
    batch = make_batch(account, ["a"], state=Batch.SUBMITTED)

    assert "/retry" not in officer_client.get(url(batch)).content.decode()


def test_an_approver_may_approve_a_batch_awaiting_approval(
    approver_client: Client, account
) -> None:
    batch = make_batch(account, ["a"], state=Batch.AWAITING_APPROVAL)

    page = approver_client.get(url(batch)).content.decode()

    assert f'action="/batches/{batch.pk}/approve"' in page
    assert "/retry" not in page


def test_who_approved_one_of_its_requests_is_told_someone_else_must_approve(
    account,
) -> None:
    both = user_create("bea", PASSWORD, [Role.OFFICER, Role.APPROVER])
    batch = make_batch(account, ["a"], state=Batch.AWAITING_APPROVAL, decided_by=both)

    page = logged_in(both).get(url(batch)).content.decode()

    assert "/approve" not in page
    assert "someone else must give the second approval" in page


@pytest.mark.parametrize("role", ["auditor", "officer"])
def test_no_approve_button_for_those_who_may_not_approve(client_as, account, role: str) -> None:
    batch = make_batch(account, ["a"], state=Batch.AWAITING_APPROVAL)

    assert "/approve" not in client_as(role).get(url(batch)).content.decode()


@pytest.mark.parametrize("state", [Batch.NEEDS_ATTENTION, Batch.AWAITING_APPROVAL])
def test_an_auditor_sees_no_action_button(auditor_client: Client, account, state: str) -> None:
    batch = make_batch(account, ["a"], state=state)

    page = auditor_client.get(url(batch)).content.decode()

    assert '<form method="post" action="/batches' not in page
    assert "<button" not in page.split("</header>", 1)[1]


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer", 200), ("approver", 200), ("auditor", 200), ("administrator", 403)],
)
def test_who_may_see_a_batch(client_as, account, role: str, status: int) -> None:
    batch = make_batch(account, ["a"])

    assert client_as(role).get(url(batch)).status_code == status


def test_an_administrators_refusal_is_audited(administrator_client: Client, account) -> None:
    batch = make_batch(account, ["a"])

    administrator_client.get(url(batch))

    assert AuditEvent.objects.get(action="access.denied").details["path"] == url(batch)


def test_the_anonymous_are_sent_to_log_in(client: Client, account) -> None:
    batch = make_batch(account, ["a"])

    response = client.get(url(batch))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_batch_is_404(officer_client: Client) -> None:
    assert officer_client.get("/batches/999/").status_code == 404


def test_it_answers_only_get(officer_client: Client, account) -> None:
    batch = make_batch(account, ["a"])

    assert officer_client.post(url(batch)).status_code == 405


@pytest.mark.parametrize("rows", [3, 300])
def test_its_query_count_does_not_grow_with_members_attempts_polls_or_requests(
    officer_client: Client, account, django_assert_num_queries, rows: int
) -> None:
    batch = batch_with_evidence(account, rows)

    # session, user, permissions (2), the batch, requests served, roles, attempts, polls,
    # first members (member counts come from the batch itself)
    with django_assert_num_queries(10):
        response = officer_client.get(url(batch))

    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_the_api_key_never_appears(client_as, account, role: str) -> None:
    batch = make_batch(account, ["a"], state=Batch.NEEDS_ATTENTION)

    assert API_KEY not in client_as(role).get(url(batch)).content.decode()


def test_the_page_carries_no_inline_script_or_style(officer_client: Client, account) -> None:
    batch = make_batch(account, [SCRIPT, 'x" style="color:red'], state=Batch.NEEDS_ATTENTION)

    page = officer_client.get(url(batch)).content.decode()

    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/confirm.js" defer>']
    assert "style=" not in page.replace("style=&quot;", "")


def test_a_finished_batch_shows_no_next_poll_and_no_empty_actions(
    officer_client: Client, account
) -> None:
    batch = make_batch(
        account,
        ["a"],
        state=Batch.COMPLETE,
        next_poll_at=timezone.now(),
        completed_at=timezone.now(),
    )

    page = officer_client.get(url(batch)).content.decode()

    assert "Next poll" not in page
    assert 'aria-label="Actions"' not in page


def test_a_batch_waiting_for_heap_says_when_it_is_polled_next(
    officer_client: Client, account
) -> None:
    batch = make_batch(account, ["a"], state=Batch.SUBMITTED, next_poll_at=timezone.now())

    assert "Next poll" in officer_client.get(url(batch)).content.decode()
