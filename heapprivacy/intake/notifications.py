"""Emails to subjects: plain text and HTML from templates/intake/email/.

Each send is audited as `email.sent` (or `email.failed`) with the template, the request's
reference and an HMAC of the recipient under PSEUDONYM_KEY: enough to show that, when and to
whom (given the address) we wrote, never the address or the body.
"""

import hashlib
import hmac
import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.intake import tokens
from heapprivacy.intake.jurisdictions import timeline_sentence

logger = logging.getLogger(__name__)

SENDER = Actor.system("intake email")
SENT_ACTION = "email.sent"
VERIFICATION = "intake/email/verification"
ACKNOWLEDGEMENT = "intake/email/acknowledgement"
ALREADY_OPEN = "intake/email/already_open"
SUBJECT_LINES = {
    VERIFICATION: "Confirm your request to erase your data ({reference})",
    ACKNOWLEDGEMENT: "We have your request to erase your data ({reference})",
    ALREADY_OPEN: "Your request to erase your data is already open ({reference})",
}


def verification_send(request: ErasureRequest, token: str) -> bool:
    return _send(
        VERIFICATION,
        request,
        verify_url=public_url("intake:erasure_verify", token),
        link_lifetime=duration_text(settings.VERIFICATION_LINK_TTL),
    )


def acknowledgement_send(request: ErasureRequest) -> bool:
    return _send(ACKNOWLEDGEMENT, request, timeline=timeline_sentence(request.jurisdiction))


def already_open_send(request: ErasureRequest) -> bool:
    return _send(ALREADY_OPEN, request)


def recipient_hmac(address: str) -> str:
    """HMAC-SHA256 of the address exactly as sent, keyed with PSEUDONYM_KEY."""
    key = settings.PSEUDONYM_KEY.encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def public_url(name: str, *args: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse(name, args=args)


def duration_text(seconds: int) -> str:
    for size, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds // 60} minutes"


def _send(template: str, request: ErasureRequest, **context: str) -> bool:
    recipient = request.requester_email
    context = {
        "reference": request.reference,
        "status_url": public_url(
            "intake:erasure_status", tokens.status_token_make(request.reference)
        ),
        "form_url": public_url("intake:erasure_form"),
        **context,
    }
    details = {"template": template, "recipient_hmac": recipient_hmac(recipient)}
    try:
        send_mail(
            SUBJECT_LINES[template].format(reference=request.reference),
            render_to_string(f"{template}.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [recipient],
            html_message=render_to_string(f"{template}.html", context),
        )
    except (smtplib.SMTPException, OSError) as error:
        # The request stands; submitting the form again re-sends its link.
        logger.warning(
            "email %s for %s failed: %s", template, request.reference, type(error).__name__
        )
        _audit("email.failed", request, {**details, "error_class": type(error).__name__})
        return False
    _audit(SENT_ACTION, request, details)
    return True


def _audit(action: str, request: ErasureRequest, details: dict[str, str]) -> None:
    audit_record(
        action, actor=SENDER, target=request, request_ref=request.reference, details=details
    )
