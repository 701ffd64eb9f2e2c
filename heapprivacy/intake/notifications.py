"""Emails to subjects from the intake: plain text and HTML from templates/intake/email/.

They go through the outbox (heapprivacy.notifications.services.notify): recorded in the
caller's transaction, sent once it commits and retried while the mail server fails. Each send
is audited as `email.sent` (or `email.failed`) with the template, the request's reference and
an HMAC of the recipient under PSEUDONYM_KEY: enough to show that, when and to whom (given the
address) we wrote, never the address or the body.
"""

from typing import Any

from django.conf import settings
from django.dispatch import receiver

from heapprivacy.erasure.legal.clock import request_acknowledge
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.intake.jurisdictions import timeline_sentence
from heapprivacy.notifications import services as outbox
from heapprivacy.notifications.models import Notification
from heapprivacy.notifications.notices import date_text, public_url, requester_notify
from heapprivacy.notifications.signals import notification_sent

SENT_ACTION = outbox.SENT_ACTION
recipient_hmac = outbox.recipient_hmac
VERIFICATION = "intake/email/verification"
# Sending it is what acknowledges the request, the date CCPA asks for (11 CCR § 7021(a)): the
# receiver below records that date once the outbox has sent it.
ACKNOWLEDGEMENT = "intake/email/acknowledgement"
ALREADY_OPEN = "intake/email/already_open"
SUBJECT_LINES = {
    VERIFICATION: "Confirm your request to erase your data ({reference})",
    ACKNOWLEDGEMENT: "We have your request to erase your data ({reference})",
    ALREADY_OPEN: "Your request to erase your data is already open ({reference})",
}


def verification_notify(request: ErasureRequest, token: str) -> Notification | None:
    return _notify(
        VERIFICATION,
        request,
        verify_url=public_url("intake:erasure_verify", token),
        link_lifetime=duration_text(settings.VERIFICATION_LINK_TTL),
    )


def acknowledgement_notify(request: ErasureRequest) -> Notification | None:
    return _notify(
        ACKNOWLEDGEMENT,
        request,
        timeline=timeline_sentence(request.jurisdiction),
        respond_by=date_text(request.deadline),
    )


def already_open_notify(request: ErasureRequest) -> Notification | None:
    return _notify(ALREADY_OPEN, request)


def duration_text(seconds: int) -> str:
    for size, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds // 60} minutes"


def _notify(template: str, request: ErasureRequest, **context: str) -> Notification | None:
    subject = SUBJECT_LINES[template].format(reference=request.reference)
    return requester_notify(template, request, subject, **context)


@receiver(notification_sent, dispatch_uid="intake.acknowledgement_sent")
def acknowledgement_sent(sender: object, notification: Notification, **kwargs: Any) -> None:
    """The acknowledgement went out: the request is acknowledged as of now (first time only)."""
    if notification.template == ACKNOWLEDGEMENT and notification.request:
        request_acknowledge(notification.request)
