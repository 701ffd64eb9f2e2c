"""The emails a subject gets as their request moves: extension, rejection, completion."""

from datetime import UTC, datetime

import pytest
import time_machine

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.legal.clock import request_extend
from heapprivacy.erasure.lifecycle.requests import request_reject, requests_complete_finished
from heapprivacy.erasure.models import ErasureRequest, HeapAccount
from heapprivacy.erasure.selectors import request_batches
from heapprivacy.notifications.authorities import FALLBACK, complaint_route
from heapprivacy.notifications.models import Notification
from heapprivacy.notifications.services import recipient_hmac
from tests.erasure.factories import SYSTEM, make_completed, make_request
from tests.notifications.conftest import ALICE, BASE_URL, committed, html_of, paths

pytestmark = pytest.mark.django_db

REASONS = "We hold your data in three systems and one of them is being migrated this month."


def audited_templates() -> list[str]:
    events = AuditEvent.objects.filter(action="email.sent").order_by("seq")
    return [event.details["template"] for event in events]


def complete(request: ErasureRequest) -> None:
    """Heap confirmed every subject of an approved request; the poll completes it."""
    with committed():
        make_completed(request)


# --- extension -------------------------------------------------------------------------------


@pytest.fixture
def received_31_january(account: HeapAccount) -> ErasureRequest:
    with time_machine.travel(datetime(2026, 1, 31, 10, tzinfo=UTC), tick=False):
        return make_request(account, [ALICE], requester_email=ALICE)


def test_the_extension_notice_gives_the_new_deadline_and_the_reasons(
    received_31_january: ErasureRequest, mailoutbox
) -> None:
    with time_machine.travel(datetime(2026, 2, 20, 10, tzinfo=UTC), tick=False), committed():
        request_extend(received_31_january, actor=SYSTEM, reason=REASONS)

    message = mailoutbox[0]
    assert message.to == [ALICE]
    assert message.subject == (
        f"We need more time to complete your request ({received_31_january.reference})"
    )
    for part in (message.body, html_of(message)):
        assert "due to respond by 28 February 2026" in part
        assert "30 April 2026" in part  # one month and two more, from 31 January
        assert REASONS in part
        assert "EU GDPR allows us to extend" in part
    assert "/privacy/erasure/status/" in paths(message)[0]
    assert audited_templates() == ["notifications/extension"]


def test_the_extension_and_its_notice_are_one_action(
    received_31_january: ErasureRequest, mailoutbox
) -> None:
    with time_machine.travel(datetime(2026, 2, 20, 10, tzinfo=UTC), tick=False):
        with committed() as callbacks:
            request_extend(received_31_january, actor=SYSTEM, reason=REASONS)
        notification = Notification.objects.get()

    assert notification.request == received_31_january
    assert notification.created_at == received_31_january.extended_at
    assert len(callbacks) == 1


def test_the_reasons_are_escaped_in_the_html(
    received_31_january: ErasureRequest, mailoutbox
) -> None:
    with time_machine.travel(datetime(2026, 2, 20, 10, tzinfo=UTC), tick=False), committed():
        request_extend(received_31_january, actor=SYSTEM, reason="<b>busy</b> & late")

    assert "&lt;b&gt;busy&lt;/b&gt; &amp; late" in html_of(mailoutbox[0])
    assert "<b>busy</b> & late" in mailoutbox[0].body


# --- rejection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "authority_names", "links"),
    [
        (
            "GDPR-EU",
            ["supervisory authority", "member state"],
            ["https://www.edpb.europa.eu/about-edpb/about-edpb/members_en"],
        ),
        (
            "GDPR-UK",
            ["Information Commissioner's Office"],
            ["https://ico.org.uk/make-a-complaint/"],
        ),
        (
            "CCPA",
            ["California Privacy Protection Agency", "California Attorney General"],
            [
                "https://cppa.ca.gov/webapplications/complaint",
                "https://oag.ca.gov/contact/consumer-complaint-against-business-or-company",
            ],
        ),
        ("VCDPA", ["appeal", "Virginia Attorney General"], ["https://www.oag.state.va.us/"]),
        ("CPA", ["appeal", "Colorado Attorney General"], ["https://coag.gov/file-complaint/"]),
        ("CTDPA", ["appeal", "Connecticut Attorney General"], ["https://portal.ct.gov/ag"]),
    ],
)
def test_a_rejection_says_why_and_where_to_complain(
    account: HeapAccount, mailoutbox, jurisdiction: str, authority_names: list, links: list
) -> None:
    request = make_request(account, [ALICE], requester_email=ALICE, jurisdiction=jurisdiction)

    with committed():
        request_reject(request, actor=SYSTEM, reason_code="identity_not_verified", note="ID blurry")

    message = mailoutbox[0]
    html = html_of(message)
    assert message.subject == (
        f"We cannot act on your request to erase your data ({request.reference})"
    )
    assert "We could not verify that the request was made by you" in message.body
    for name in authority_names:
        assert name in message.body
    for link in links:
        assert link in message.body
        assert f'href="{link}"' in html
    assert "ID blurry" not in message.body + html  # the officer's note stays internal
    assert audited_templates() == ["notifications/rejection"]


# The officer's note: the subject's reason for "other", which has no words of its own.
NOTE = "Your account was closed in 2019 and we hold no analytics data linked to it."


@pytest.mark.parametrize(
    ("reason_code", "words"),
    [
        ("not_a_subject", "We hold no analytics data about you."),
        ("legal_obligation", "The law requires us to keep the data"),
        ("manifestly_unfounded", "manifestly unfounded or excessive"),
        ("duplicate", "It repeats another request of yours"),
        ("other", NOTE),
    ],
)
def test_each_reason_code_is_said_in_words(
    account: HeapAccount, mailoutbox, reason_code: str, words: str
) -> None:
    request = make_request(account, [ALICE], requester_email=ALICE)

    with committed():
        request_reject(request, actor=SYSTEM, reason_code=reason_code, note=NOTE)

    assert words in mailoutbox[0].body
    assert reason_code not in mailoutbox[0].body


def test_a_jurisdiction_without_a_row_points_to_the_state_attorney_general() -> None:
    route = complaint_route("NEW-STATE")

    assert route is FALLBACK
    assert "Attorney General of your state" in route.right


def test_a_request_without_a_requester_email_is_rejected_without_email(
    account: HeapAccount, mailoutbox
) -> None:
    request = make_request(account, ["user-7"])  # e.g. from a CSV import

    with committed():
        request_reject(request, actor=SYSTEM, reason_code="duplicate")

    request.refresh_from_db()
    assert request.state == ErasureRequest.State.REJECTED
    assert mailoutbox == []
    assert not Notification.objects.exists()


# --- completion ------------------------------------------------------------------------------


def test_the_completion_email_links_to_the_certificate(alices_request, mailoutbox) -> None:
    complete(alices_request)

    message = mailoutbox[0]
    certificate = next(path for path in paths(message) if "/certificate/" in path)
    assert message.subject == f"Your data has been erased ({alices_request.reference})"
    assert "confirmed the erasure on 2 March 2026" in message.body
    assert certificate.startswith("/privacy/certificate/")
    assert f'href="{BASE_URL}{certificate}"' in html_of(message)
    assert audited_templates() == ["notifications/completion"]
    event = AuditEvent.objects.get(action="email.sent")
    assert event.details["recipient_hmac"] == recipient_hmac(ALICE)
    assert ALICE not in str(event.details)


def test_each_completed_request_is_announced_once(alices_request, mailoutbox) -> None:
    complete(alices_request)
    with committed():
        for batch in request_batches(alices_request):  # a later poll of each batch
            requests_complete_finished(batch)

    assert len(mailoutbox) == 1
