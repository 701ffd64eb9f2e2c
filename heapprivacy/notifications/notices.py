"""What we tell a subject at each step of their request, by email to the requester.

Each notice is called inside the transaction of the change it announces (intake, and
clock.request_extend, requests.request_reject, requests.requests_complete_finished), so the
change and its email are recorded together. A request without a requester email (API, CSV or
staff intake without one) gets none: None is returned, and the channel that brought the request
tells its subject. Every email carries the reference and the status page's link.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from heapprivacy.erasure.legal.deadlines import local_date
from heapprivacy.erasure.legal.jurisdictions import RULES
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.notifications import tokens
from heapprivacy.notifications.authorities import complaint_route
from heapprivacy.notifications.models import Notification
from heapprivacy.notifications.services import notify
from heapprivacy.notifications.tokens import certificate_token_make

EXTENSION = "notifications/extension"
REJECTION = "notifications/rejection"
COMPLETION = "notifications/completion"
# The reason codes of a rejection (erasure/lifecycle/requests.py REJECTION_REASONS), in words for
# the subject.
REASONS = {
    "identity_not_verified": (
        "We could not verify that the request was made by you or on your behalf, so we cannot "
        "act on it."
    ),
    "not_a_subject": "We hold no analytics data about you.",
    "legal_obligation": "The law requires us to keep the data your request concerns.",
    "manifestly_unfounded": "We consider the request manifestly unfounded or excessive.",
    "duplicate": "It repeats another request of yours, which we are handling or have answered.",
}
# "other" has no words of its own: the officer's note (required for it) is the reason given.
OTHER_REASON = "We cannot act on your request. Reply to this email if you would like to know more."


def extension_notify(request: ErasureRequest) -> Notification | None:
    """The one extension: the new deadline and the officer's reasons, as the law asks."""
    return requester_notify(
        EXTENSION,
        request,
        f"We need more time to complete your request ({request.reference})",
        due=date_text(request.due_at),
        extended_due=date_text(request.extended_due_at),
        reasons=request.extension_reason,
    )


def rejection_notify(request: ErasureRequest) -> Notification | None:
    """The refusal in words, and where the subject can complain (authorities.py)."""
    route = complaint_route(request.jurisdiction)
    return requester_notify(
        REJECTION,
        request,
        f"We cannot act on your request to erase your data ({request.reference})",
        reason=REASONS.get(request.reason_code) or request.decision_note.strip() or OTHER_REASON,
        complaint_right=route.right,
        authorities=[
            {"name": authority.name, "url": authority.url, "phone": authority.phone}
            for authority in route.authorities
        ],
        appeal=route.appeal,
    )


def completion_notify(request: ErasureRequest) -> Notification | None:
    """Done: Heap confirmed the erasure; the certificate is one link away, no login needed."""
    if not request.requester_email:
        return None  # before signing a link nobody will get: a batch completes 10,000 at once
    return requester_notify(
        COMPLETION,
        request,
        f"Your data has been erased ({request.reference})",
        completed=date_text(request.completed_at),
        certificate_url=public_url(
            "certificates:certificate", certificate_token_make(request.reference)
        ),
    )


def requester_notify(
    template: str, request: ErasureRequest, subject: str, **context: Any
) -> Notification | None:
    """Email the requester, with what every subject email carries; None without an address."""
    if not request.requester_email:
        return None
    return notify(
        template,
        request=request,
        recipient=request.requester_email,
        subject=subject,
        context={
            "reference": request.reference,
            "law": law_name(request.jurisdiction),
            "status_url": status_url(request.reference),
            "form_url": public_url("intake:erasure_form"),
            **context,
        },
    )


def public_url(name: str, *args: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse(name, args=args)


def status_url(reference: str) -> str:
    return public_url("intake:erasure_status", tokens.status_token_make(reference))


def law_name(jurisdiction: str) -> str:
    rule = RULES.get(jurisdiction)
    return rule.name if rule else jurisdiction


def date_text(moment: datetime | None) -> str:
    """A deadline as its calendar day where deadlines are counted (DEADLINE_TIME_ZONE)."""
    if moment is None:
        return ""
    day = local_date(moment)
    return f"{day.day} {day:%B %Y}"
