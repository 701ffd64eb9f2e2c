"""The intake's emails go through the outbox: the acknowledgement counts once it is sent."""

from datetime import timedelta

import pytest
from django.core import mail

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import ErasureRequest, HeapAccount
from heapprivacy.intake.services import intake_submit, verification_confirm
from heapprivacy.notifications import services, tasks
from heapprivacy.notifications.models import Notification
from heapprivacy.notifications.services import recipient_hmac
from tests.notifications import backends
from tests.notifications.conftest import ALICE, NOW, committed, paths

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def submitted(account: HeapAccount) -> tuple[ErasureRequest, str]:
    """Alice's public-form request and the verification token her email carries."""
    with committed():
        request = intake_submit(email=ALICE, jurisdiction="CCPA")
    verify = next(path for path in paths(mail.outbox[-1]) if "/verify/" in path)
    return request, verify.rsplit("/", 1)[1]


def test_verification_and_acknowledgement_are_sent_and_audited_without_the_address(
    account: HeapAccount, clock, mailoutbox
) -> None:
    request, token = submitted(account)
    with committed():
        verification_confirm(token)

    assert [message.subject.split(" (")[0] for message in mailoutbox] == [
        "Confirm your request to erase your data",
        "We have your request to erase your data",
    ]
    assert "within 45 days" in mailoutbox[1].body
    events = AuditEvent.objects.filter(action="email.sent").order_by("seq")
    assert [(event.request_ref, event.details) for event in events] == [
        (request.reference, {"template": template, "recipient_hmac": recipient_hmac(ALICE)})
        for template in ("intake/email/verification", "intake/email/acknowledgement")
    ]
    assert not Notification.objects.exclude(recipient="").exists()


def test_the_request_is_acknowledged_when_the_acknowledgement_is_sent_not_before(
    account: HeapAccount, clock, mailoutbox, settings
) -> None:
    request, token = submitted(account)
    settings.EMAIL_BACKEND = backends.DOWN
    with committed():
        verification_confirm(token)

    request.refresh_from_db()
    assert request.state == ErasureRequest.State.VERIFIED  # the failure undid nothing
    assert request.acknowledged_at is None

    settings.EMAIL_BACKEND = LOCMEM
    clock.shift(timedelta(minutes=1))
    with committed():
        services.notifications_sweep(send=tasks.send_notification.delay)

    request.refresh_from_db()
    assert request.acknowledged_at == NOW + timedelta(minutes=1)
    assert len(mailoutbox) == 2
