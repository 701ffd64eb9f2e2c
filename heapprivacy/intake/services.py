"""Public-form intake: submit a request, then confirm it from the emailed link.

Emails are recorded in the outbox inside the transaction that makes the change they announce,
and sent after it commits (heapprivacy.notifications): a slow or failing mail server never holds
the database or undoes a request, and a rolled-back request is never announced.
"""

import hashlib
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.lifecycle.requests import request_create, request_verify, subjects_add
from heapprivacy.erasure.lifecycle.subjects import SubjectInput, subject_parse
from heapprivacy.erasure.lifecycle.transitions import InvalidTransition
from heapprivacy.erasure.models import ErasureRequest, HeapAccount, Subject
from heapprivacy.intake import notifications
from heapprivacy.intake.models import VerificationLink
from heapprivacy.notifications import tokens
from heapprivacy.notifications.models import Notification

PUBLIC_FORM = Actor.system("public form")
EMAIL_LINK = Actor.system("email link")
# Repeat submissions re-send a request's link; this caps what a stranger can make us send to
# someone else's inbox (the per-IP rate limit caps the rest).
MAX_EMAILS_PER_REQUEST_PER_DAY = 5


class IntakeUnavailable(Exception):
    """No Heap account to send public-form requests to (INTAKE_HEAP_ACCOUNT)."""


class LinkRefused(Exception):
    status = 400
    reason = "invalid"


class LinkExpired(LinkRefused):
    status = 410
    reason = "expired"


class LinkUsed(LinkRefused):
    status = 410
    reason = "used"


def intake_unavailable_reason() -> str | None:
    """Why the public form cannot take a request now (it answers 503), or None when it can:
    for the pages and the health check where a configuration mistake must show."""
    try:
        intake_account()
    except IntakeUnavailable as unavailable:
        return str(unavailable)
    return None


def intake_account() -> HeapAccount:
    """INTAKE_HEAP_ACCOUNT's account, or else the only active one."""
    accounts = HeapAccount.objects.filter(is_active=True)
    if settings.INTAKE_HEAP_ACCOUNT:
        accounts = accounts.filter(label=settings.INTAKE_HEAP_ACCOUNT)
    found = list(accounts[:2])
    if len(found) != 1:
        raise IntakeUnavailable(
            "set INTAKE_HEAP_ACCOUNT to the label of an active Heap account"
            if found or settings.INTAKE_HEAP_ACCOUNT
            else "no active Heap account"
        )
    return found[0]


def intake_submit(
    *, email: str, jurisdiction: str, identifiers: Sequence[SubjectInput] = ()
) -> ErasureRequest:
    """Record a public-form request, or join the open one from the same email; email the link.

    The caller's answer must not depend on which happened (no account enumeration).
    """
    account = intake_account()
    subjects = _subjects(email, identifiers)
    with transaction.atomic():
        _address_lock(email)
        found = _open_request(email)
        created = found is None
        if found is None:
            request = request_create(
                source=ErasureRequest.Source.FORM,
                jurisdiction=jurisdiction,
                account=account,
                subjects=subjects,
                actor=PUBLIC_FORM,
                requester_email=email,
            )
        else:
            request = found
            _subjects_extend(request, account, subjects)
        send = created or _emails_sent_today(request) < MAX_EMAILS_PER_REQUEST_PER_DAY
        unverified = request.state == ErasureRequest.State.RECEIVED
        if send and unverified:
            notifications.verification_notify(request, _link_create(request))
        elif send:
            notifications.already_open_notify(request)
    return request


def verification_check(token: str) -> VerificationLink:
    """The unused link a token names, or LinkRefused (LinkExpired, LinkUsed) saying why."""
    try:
        nonce = tokens.verification_token_read(token)
    except tokens.TokenExpired:
        raise LinkExpired from None
    except tokens.TokenInvalid:
        raise LinkRefused from None
    link = VerificationLink.objects.select_related("request").filter(nonce=nonce).first()
    if link is None:
        raise LinkRefused
    if link.used_at is not None:
        raise LinkUsed
    return link


def verification_confirm(token: str) -> tuple[ErasureRequest, bool]:
    """Use the link once; verify its request if it still awaits that. (request, verified)."""
    link = verification_check(token)
    request = link.request
    now = timezone.now()
    with transaction.atomic():
        if not VerificationLink.objects.filter(pk=link.pk, used_at=None).update(used_at=now):
            raise LinkUsed  # another click won the race
        # One confirmation is enough: the request's other links (re-sends) are spent too.
        request.verification_links.filter(used_at=None).update(used_at=now)
        verified = _verify(request)
        if verified:
            # Sending it records acknowledged_at (notifications.services).
            notifications.acknowledgement_notify(request)
    return request, verified


def _verify(request: ErasureRequest) -> bool:
    """False when an officer verified, cancelled or decided the request in the meantime."""
    if request.state != ErasureRequest.State.RECEIVED:
        return False
    try:
        request_verify(request, actor=EMAIL_LINK, method="email_link")
    except InvalidTransition:
        return False
    return True


def _subjects(email: str, identifiers: Sequence[SubjectInput]) -> list[SubjectInput]:
    chosen = (
        [subject_parse(Subject.Kind.IDENTITY, email)] if settings.INTAKE_IDENTITY_FROM_EMAIL else []
    )
    return list(dict.fromkeys([*chosen, *identifiers]))


def _address_lock(email: str) -> None:
    """Serialise the submissions of one address until the caller's transaction ends, so two at
    once make one request. PostgreSQL: a transaction-scoped advisory lock on the address's hash;
    SQLite's transactions are IMMEDIATE, which serialises every write already."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(f"intake:{email}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, signed=True)])


def _open_request(email: str) -> ErasureRequest | None:
    return (
        ErasureRequest.objects.filter(requester_email=email, state__in=ErasureRequest.OPEN_STATES)
        .order_by("received_at", "pk")
        .first()
    )


def _subjects_extend(
    request: ErasureRequest, account: HeapAccount, subjects: list[SubjectInput]
) -> None:
    """Add identifiers the open request lacks, while it awaits verification.

    Once verified, a repeat submission adds nothing: whoever sent it has proven nothing, and
    the verified request must not grow behind the subject's back.
    """
    if request.state != ErasureRequest.State.RECEIVED:
        return
    known = set(request.subjects.values_list("kind", "value"))
    new = [subject for subject in subjects if (subject.kind, subject.value) not in known]
    if new:
        added = subjects_add(request, account, new)
        audit_record(
            "request.subjects_added",
            actor=PUBLIC_FORM,
            target=request,
            request_ref=request.reference,
            details={"source": ErasureRequest.Source.FORM, "subjects": added},
        )


def _emails_sent_today(request: ErasureRequest) -> int:
    """Emails to the request in the last 24 hours, sent or still waiting in the outbox."""
    return Notification.objects.filter(
        request=request, created_at__gte=timezone.now() - timedelta(days=1)
    ).count()


def _link_create(request: ErasureRequest) -> str:
    link = VerificationLink.objects.create(request=request, nonce=tokens.nonce_new())
    return tokens.verification_token_make(link.nonce)
