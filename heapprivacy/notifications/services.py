"""Every email goes through `notify`: recorded with the change it reports, sent after commit.

notify() writes a pending Notification inside the caller's transaction, so an email and the
change it announces commit or roll back together, and nudges a worker once the transaction has
committed. notification_send() claims the row, renders its plain text and HTML parts, sends
them outside any transaction and records the outcome: sent (audited `email.sent`), a retry
after a backoff, or — after EMAIL_MAX_ATTEMPTS, or at once when the server refuses the address —
failed (audited `email.failed`). A mail server that is down never blocks or rolls back the
workflow. The sweep re-sends the pending rows whose nudge was lost (DESIGN.md invariant 1).

Audit events carry the template, the request's reference and a keyed hash of the recipient:
enough to show that, when and to whom (given the address) we wrote; never the address or body.
"""

import logging
import smtplib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.notifications.models import Notification
from heapprivacy.notifications.signals import notification_sent
from heapprivacy.pseudonyms import subject_pseudonym

logger = logging.getLogger(__name__)

SENDER = Actor.system("email")
SENT_ACTION = "email.sent"
FAILED_ACTION = "email.failed"
# A claimed row is held this long: Celery kills a send task at its hard time limit, after which
# the sweep may hand the row to another worker.
SEND_LEASE = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
MAX_RETRY_DELAY = timedelta(hours=6)
SWEEP_LIMIT = 1_000
Pending = Notification.State.PENDING


def notify(
    template: str,
    *,
    request: ErasureRequest | None = None,
    recipient: str,
    subject: str,
    context: dict[str, Any],
    key: str = "",
) -> Notification:
    """Record an email to `recipient` and send it once the caller's transaction commits.

    `template` names `{template}.txt` and `{template}.html`. `context` waits in the row until
    the email is sent, so it must be JSON. With a `key`, a second call returns the first row.
    """
    if not recipient:
        raise ValueError(f"{template}: an email needs a recipient")
    now = timezone.now()
    fields = {
        "request": request,
        "template": template,
        "subject": subject,
        "recipient": recipient,
        "recipient_hmac": recipient_hmac(recipient),
        "context": context,
        "next_attempt_at": now,
        "created_at": now,
    }
    if key:
        notification, created = Notification.objects.get_or_create(key=key, defaults=fields)
        if not created:
            return notification
    else:
        notification = Notification.objects.create(**fields)
    # robust: the change has committed, and a broker that is down must not turn it into an
    # error page; the sweep finds the row. (A closure, not a partial: Django logs a robust
    # callback's failure by its __qualname__, which a partial lacks.)
    pk = notification.pk
    transaction.on_commit(lambda: notification_enqueue(pk), robust=True)
    return notification


def notification_enqueue(notification_id: int) -> None:
    from heapprivacy.notifications.tasks import send_notification  # tasks import this module

    send_notification.delay(notification_id)


def recipient_hmac(address: str) -> str:
    """HMAC-SHA256 of the address exactly as sent, keyed with PSEUDONYM_KEY (the same keyed
    hash as every pseudonym, so a pseudonymised request's address still matches its emails)."""
    return subject_pseudonym(address)


def notification_send(notification_id: int) -> None:
    """Send one due, pending email unless another worker holds it; record what happened.

    Runs outside any transaction: the SMTP conversation must never hold the database.
    """
    notification = _claim(notification_id)
    if notification is None:
        return
    try:
        _deliver(notification)
    except (smtplib.SMTPException, OSError) as error:
        _record_failure(notification, error)
    else:
        _record_sent(notification)


def notifications_sweep(send: Callable[[int], object]) -> list[int]:
    """Hand each due pending email to `send`; fail those whose last attempt never reported.

    A claim counts an attempt before sending, so a worker killed mid-send leaves a pending row
    that already used it: once they are all used, the row fails here instead of in a send.
    """
    due = Notification.objects.filter(state=Pending, next_attempt_at__lte=timezone.now())
    exhausted = due.filter(attempts__gte=settings.EMAIL_MAX_ATTEMPTS).select_related("request")
    for notification in exhausted:
        with transaction.atomic():
            _give_up(notification, notification.last_error_class or "Interrupted")
    ids = list(
        due.filter(attempts__lt=settings.EMAIL_MAX_ATTEMPTS)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    for notification_id in ids:
        send(notification_id)
    return ids


def retry_delay(attempts: int) -> timedelta:
    """EMAIL_RETRY_BASE_DELAY after the first failure, doubling after each, at most 6 hours."""
    seconds = settings.EMAIL_RETRY_BASE_DELAY * 2 ** min(attempts - 1, 20)
    return min(timedelta(seconds=seconds), MAX_RETRY_DELAY)


def _claim(notification_id: int) -> Notification | None:
    """Take the row for one attempt by a conditional UPDATE; None if it is not ours to send."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id,
        state=Pending,
        next_attempt_at__lte=now,
        attempts__lt=settings.EMAIL_MAX_ATTEMPTS,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + SEND_LEASE)
    if not claimed:
        return None
    return Notification.objects.select_related("request").get(pk=notification_id)


def _deliver(notification: Notification) -> None:
    context = notification.context
    send_mail(
        notification.subject,
        render_to_string(f"{notification.template}.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [notification.recipient],
        html_message=render_to_string(f"{notification.template}.html", context),
    )


def _record_sent(notification: Notification) -> None:
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(
            state=Notification.State.SENT,
            sent_at=timezone.now(),
            last_error_class="",
            **_forgotten(),
        )
        _audit(SENT_ACTION, notification)
        notification_sent.send(Notification, notification=notification)


def _record_failure(notification: Notification, error: Exception) -> None:
    error_class = type(error).__name__
    logger.warning(
        "email %s #%s failed (attempt %s): %s",
        notification.template,
        notification.pk,
        notification.attempts,
        error_class,
    )
    # The server refusing the address is an answer, not an outage: retrying cannot change it.
    permanent = isinstance(error, smtplib.SMTPRecipientsRefused)
    with transaction.atomic():
        if permanent or notification.attempts >= settings.EMAIL_MAX_ATTEMPTS:
            _give_up(notification, error_class)
        else:
            Notification.objects.filter(pk=notification.pk).update(
                next_attempt_at=timezone.now() + retry_delay(notification.attempts),
                last_error_class=error_class,
            )


def _give_up(notification: Notification, error_class: str) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        state=Notification.State.FAILED, last_error_class=error_class, **_forgotten()
    )
    _audit(
        FAILED_ACTION,
        notification,
        error_class=error_class,
        attempts=notification.attempts,
    )


def _forgotten() -> dict[str, Any]:
    """What a row in a final state no longer keeps: the address, and the links and reasons."""
    return {"recipient": "", "context": {}}


def _audit(action: str, notification: Notification, **details: object) -> None:
    audit_record(
        action,
        actor=SENDER,
        target=notification,
        request_ref=notification.request.reference if notification.request else "",
        details={
            "template": notification.template,
            "recipient_hmac": notification.recipient_hmac,
            **details,
        },
    )
