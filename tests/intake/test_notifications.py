"""Emails to subjects: both parts, absolute links, and an audit trail without addresses."""

import pytest
from django.test import Client

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.intake.notifications import duration_text, recipient_hmac
from tests.intake.conftest import ALICE, confirm, submit, verify_path
from tests.notifications import backends

pytestmark = pytest.mark.django_db


def test_the_verification_email_has_text_and_html_with_absolute_links(
    client: Client, account, mailoutbox: list
) -> None:
    submit(client)

    message = mailoutbox[0]
    html, _ = message.alternatives[0]
    verify_url = "http://privacy.example.test" + verify_path(message)
    assert verify_url in message.body
    assert f'href="{verify_url}"' in html
    assert "within 7 days" in message.body
    assert message.from_email == "privacy@localhost"


def test_each_email_is_audited_with_template_reference_and_recipient_hmac(
    client: Client, account, mailoutbox: list
) -> None:
    submit(client)
    confirm(client, verify_path(mailoutbox[0]))

    events = AuditEvent.objects.filter(action="email.sent").order_by("seq")
    reference = ErasureRequest.objects.get().reference
    assert [(event.request_ref, event.details) for event in events] == [
        (
            reference,
            {"template": "intake/email/verification", "recipient_hmac": recipient_hmac(ALICE)},
        ),
        (
            reference,
            {"template": "intake/email/acknowledgement", "recipient_hmac": recipient_hmac(ALICE)},
        ),
    ]


def test_no_audit_event_holds_the_address_or_a_body(
    client: Client, account, mailoutbox: list, settings
) -> None:
    settings.INTAKE_IDENTITY_FROM_EMAIL = False
    submit(client, identifiers="user-secret-7")
    submit(client, identifiers="user-secret-7\nuser-secret-8")  # re-send, subjects added
    confirm(client, verify_path(mailoutbox[0]))
    submit(client, identifiers="user-secret-9")  # verified and open: a notice, nothing added

    trail = str(list(AuditEvent.objects.values_list("actor_label", "details")))
    assert AuditEvent.objects.filter(action="email.sent").count() == 4
    for secret in [ALICE, "alice", "example.com", "user-secret", "verify/", "status/"]:
        assert secret not in trail


def test_the_recipient_hmac_is_keyed(settings) -> None:
    first = recipient_hmac(ALICE)
    settings.PSEUDONYM_KEY = "another-key-of-at-least-thirty-two-chars"

    assert recipient_hmac(ALICE) != first
    assert len(first) == 64


def test_a_mail_server_failure_keeps_the_request_and_is_audited(
    client: Client, account, settings
) -> None:
    settings.EMAIL_BACKEND = backends.REFUSING_ADDRESS

    response = submit(client)

    assert response.status_code == 302  # the same answer: the subject can try again
    assert ErasureRequest.objects.count() == 1
    failed = AuditEvent.objects.get(action="email.failed")
    assert failed.details["error_class"] == "SMTPRecipientsRefused"
    assert ALICE not in str(failed.details)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(604_800, "7 days"), (86_400, "1 day"), (7_200, "2 hours"), (90, "1 minutes")],
)
def test_duration_text(seconds: int, text: str) -> None:
    assert duration_text(seconds) == text
