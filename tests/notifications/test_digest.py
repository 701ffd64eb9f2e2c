"""The officers' daily digest: what it lists, and who gets it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from heapprivacy.accounts.roles import Role
from heapprivacy.accounts.services import user_create
from heapprivacy.audit.models import AuditEvent
from heapprivacy.console import tasks
from heapprivacy.console.digest import digest_send
from heapprivacy.erasure.models import (
    DeletionBatch,
    ErasureRequest,
    HeapAccount,
    SubmissionAttempt,
)
from heapprivacy.notifications.models import Notification
from heapprivacy.notifications.services import recipient_hmac
from tests.erasure.factories import make_request
from tests.notifications.conftest import BASE_URL, NOW, committed, html_of

pytestmark = pytest.mark.django_db

OLIVIA = "olivia@corp.example"


def officer(username: str, email: str, *roles: Role, active: bool = True) -> User:
    user = user_create(username, "a-long-test-password", list(roles or [Role.OFFICER]), email)
    User.objects.filter(pk=user.pk).update(is_active=active)
    return user


def request_due(
    account: HeapAccount, due_in: timedelta, safe_submit_in: timedelta, **kw: object
) -> ErasureRequest:
    """A request with its deadline and latest safe submit this far from now."""
    request = make_request(account, ["someone@example.com"], **kw)
    ErasureRequest.objects.filter(pk=request.pk).update(
        due_at=NOW + due_in, latest_safe_submit=NOW + safe_submit_in
    )
    return request


@pytest.fixture
def cast(account: HeapAccount, clock) -> dict[str, object]:
    """One request per section, a request that is closed, a stuck batch and a Heap error."""
    cast = {
        "due_soon": request_due(account, timedelta(days=5), timedelta(days=4)),
        "overdue": request_due(account, -timedelta(days=1), -timedelta(days=10)),
        "at_risk": request_due(account, timedelta(days=20), timedelta(days=1)),
        "calm": request_due(account, timedelta(days=25), timedelta(days=16)),
        "closed": request_due(account, timedelta(days=2), timedelta(days=1)),
    }
    ErasureRequest.objects.filter(pk=cast["closed"].pk).update(state="completed")
    batch = DeletionBatch.objects.create(
        account=account,
        state=DeletionBatch.State.NEEDS_ATTENTION,
        size=3,
        payload_sha256="0" * 64,
        attempts=8,
        last_error="HTTP 400: identity too long",
    )
    SubmissionAttempt.objects.create(
        batch=batch,
        number=1,
        started_at=NOW - timedelta(hours=2),
        outcome=SubmissionAttempt.Outcome.PERMANENT,
        http_status=400,
        error_class="HeapBadRequest",
    )
    cast["batch"] = batch
    return cast


def send() -> list[Notification]:
    with committed():
        return digest_send()


def section(body: str, title: str) -> str:
    """The lines of a plain-text digest section, up to the next blank line."""
    return body.split(f"\n{title}\n", 1)[1].split("\n\n", 1)[0]


def test_it_goes_to_active_officers_with_an_email_only(cast, mailoutbox) -> None:
    officer("olivia", OLIVIA)
    officer("oscar", "")  # no address
    officer("otto", "otto@corp.example", active=False)
    officer("audrey", "audrey@corp.example", Role.AUDITOR)

    send()

    assert [message.to for message in mailoutbox] == [[OLIVIA]]


def test_it_lists_each_request_in_its_section(cast, mailoutbox) -> None:
    officer("olivia", OLIVIA)

    send()

    body = mailoutbox[0].body
    overdue, due_soon, at_risk = (
        section(body, title) for title in ("Overdue", "Due within 7 days", "At risk")
    )
    assert cast["overdue"].reference in overdue
    assert cast["due_soon"].reference in due_soon
    assert cast["at_risk"].reference in at_risk
    assert cast["due_soon"].reference not in at_risk
    for listed in (overdue, due_soon, at_risk):
        assert cast["calm"].reference not in listed
        assert cast["closed"].reference not in listed
    assert "Overdue: 1\nDue within 7 days: 1\nAt risk (near their latest safe submit): 1" in body
    assert f"{BASE_URL}/requests/{cast['overdue'].reference}/" in overdue


def test_it_lists_batches_that_need_attention_and_heap_errors(cast, mailoutbox) -> None:
    officer("olivia", OLIVIA)

    send()

    body = mailoutbox[0].body
    batch_id = cast["batch"].pk
    assert f"batch #{batch_id} (acme, 3 subjects, 8 attempts): HTTP 400: identity too long" in (
        section(body, "Batches that need attention")
    )
    assert f"{BASE_URL}/batches/{batch_id}/" in body
    assert (
        f"batch #{batch_id} Sending the deletion HTTP 400: Heap refused the call as invalid"
        in section(body, "Latest Heap errors")
    )
    assert f'href="{BASE_URL}/batches/{batch_id}/"' in html_of(mailoutbox[0])


def test_a_quiet_day_still_sends_a_digest_saying_so(account, clock, mailoutbox) -> None:
    officer("olivia", OLIVIA)

    send()

    body = mailoutbox[0].body
    assert "Overdue: 0" in body
    assert section(body, "Overdue") == "- none"
    assert mailoutbox[0].subject == (
        "Privacy requests on 2026-03-02: 0 overdue, 0 due within 7 days, 0 at risk"
    )


def test_it_is_sent_once_a_day_however_often_beat_runs_it(cast, mailoutbox, clock) -> None:
    officer("olivia", OLIVIA)

    send()
    send()
    clock.shift(timedelta(days=1))
    send()

    assert len(mailoutbox) == 2


def test_it_is_audited_without_the_address_and_holds_no_subject_data(cast, mailoutbox) -> None:
    officer("olivia", OLIVIA)

    send()

    event = AuditEvent.objects.get(action="email.sent")
    message = mailoutbox[0]
    assert event.request_ref == ""
    assert event.details == {
        "template": "notifications/digest",
        "recipient_hmac": recipient_hmac(OLIVIA),
    }
    assert "someone@example.com" not in message.body + html_of(message)
    assert not Notification.objects.exclude(recipient="").exists()


def test_the_beat_task_sends_it(cast, mailoutbox) -> None:
    officer("olivia", OLIVIA)

    with committed():
        tasks.send_officer_digest.delay()

    assert len(mailoutbox) == 1
