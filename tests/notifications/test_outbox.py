"""The outbox: recorded with the change, sent after commit, retried, given up, never leaky."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.lifecycle.requests import request_reject
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.notifications import services, tasks
from heapprivacy.notifications.models import Notification
from heapprivacy.notifications.services import notify, recipient_hmac, retry_delay
from tests.erasure.factories import SYSTEM
from tests.notifications import backends
from tests.notifications.conftest import ALICE, NOW, committed

pytestmark = pytest.mark.django_db

Pending, Sent, Failed = Notification.State


def reject(request: ErasureRequest) -> None:
    """An officer's action that emails the subject: the rejection."""
    with committed():
        request_reject(request, actor=SYSTEM, reason_code="identity_not_verified")


def sweep() -> list[int]:
    """What beat runs every minute, with the send task as the worker would get it."""
    with committed():
        return services.notifications_sweep(send=tasks.send_notification.delay)


def the_notification() -> Notification:
    return Notification.objects.get()


def test_nothing_is_sent_before_the_transaction_commits(alices_request, mailoutbox) -> None:
    with committed() as callbacks:
        request_reject(alices_request, actor=SYSTEM, reason_code="duplicate")
        assert mailoutbox == []
        assert the_notification().state == Pending

    assert len(callbacks) == 1
    assert len(mailoutbox) == 1


def reject_then_fail(request: ErasureRequest) -> None:
    with transaction.atomic():
        request_reject(request, actor=SYSTEM, reason_code="duplicate")
        raise RuntimeError("the officer's action failed after the rejection")


def test_a_rolled_back_change_sends_nothing_and_leaves_no_row(alices_request, mailoutbox) -> None:
    with committed(), pytest.raises(RuntimeError):
        reject_then_fail(alices_request)

    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_a_sent_email_is_audited_without_the_address_and_its_row_forgets_it(
    alices_request, mailoutbox
) -> None:
    reject(alices_request)

    notification = the_notification()
    event = AuditEvent.objects.get(action="email.sent")
    assert mailoutbox[0].to == [ALICE]
    assert mailoutbox[0].from_email == "privacy@example.test"
    assert (notification.state, notification.attempts, notification.sent_at) == (Sent, 1, NOW)
    assert (notification.recipient, notification.context) == ("", {})
    assert notification.recipient_hmac == recipient_hmac(ALICE)
    assert event.request_ref == alices_request.reference
    assert event.target_type == "notifications.notification"
    assert event.target_id == str(notification.pk)
    assert event.details == {
        "template": "notifications/rejection",
        "recipient_hmac": recipient_hmac(ALICE),
    }
    assert event.actor_label == "email"


def test_no_audit_event_or_row_keeps_an_address_or_a_body(alices_request, mailoutbox) -> None:
    reject(alices_request)

    trail = str(list(AuditEvent.objects.values_list("actor_label", "details")))
    rows = str(list(Notification.objects.values()))
    for leak in [ALICE, "alice", "example.com", "verify", "status/", "could not verify"]:
        assert leak not in trail
        assert leak not in rows


@pytest.mark.parametrize("server", [backends.DOWN, backends.DISCONNECTING])
def test_a_failing_mail_server_neither_blocks_nor_undoes_the_change(
    alices_request, mailoutbox, settings, server: str
) -> None:
    settings.EMAIL_BACKEND = server

    reject(alices_request)

    alices_request.refresh_from_db()
    notification = the_notification()
    assert alices_request.state == ErasureRequest.State.REJECTED
    assert AuditEvent.objects.filter(action="request.rejected").count() == 1
    assert notification.state == Pending
    assert notification.attempts == 1
    assert notification.next_attempt_at == NOW + timedelta(seconds=60)
    assert notification.last_error_class in {"ConnectionRefusedError", "SMTPServerDisconnected"}
    assert notification.recipient == ALICE  # still needed to send it
    assert not AuditEvent.objects.filter(action__startswith="email.").exists()


def test_the_sweep_retries_a_pending_email_once_its_next_attempt_is_due(
    alices_request, mailoutbox, settings, clock
) -> None:
    settings.EMAIL_BACKEND = backends.DOWN
    reject(alices_request)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    clock.shift(timedelta(seconds=59))
    assert sweep() == []
    assert mailoutbox == []

    clock.shift(timedelta(seconds=1))
    assert sweep() == [the_notification().pk]

    notification = the_notification()
    assert len(mailoutbox) == 1
    assert (notification.state, notification.attempts, notification.recipient) == (Sent, 2, "")
    assert AuditEvent.objects.filter(action="email.sent").count() == 1


def test_after_the_last_attempt_it_is_failed_and_audited(
    alices_request, mailoutbox, settings, clock
) -> None:
    settings.EMAIL_MAX_ATTEMPTS = 3
    settings.EMAIL_BACKEND = backends.DOWN
    reject(alices_request)

    clock.shift(retry_delay(1))
    sweep()
    assert the_notification().next_attempt_at == NOW + retry_delay(1) + retry_delay(2)
    clock.shift(retry_delay(2))
    sweep()

    notification = the_notification()
    failed = AuditEvent.objects.get(action="email.failed")
    assert (notification.state, notification.attempts) == (Failed, 3)
    assert (notification.recipient, notification.context) == ("", {})
    assert failed.request_ref == alices_request.reference
    assert failed.details == {
        "template": "notifications/rejection",
        "recipient_hmac": recipient_hmac(ALICE),
        "error_class": "ConnectionRefusedError",
        "attempts": 3,
    }
    clock.shift(timedelta(days=1))
    assert sweep() == []  # given up is final


def test_an_address_the_server_refuses_is_given_up_at_once(
    alices_request, mailoutbox, settings
) -> None:
    settings.EMAIL_BACKEND = backends.REFUSING_ADDRESS

    reject(alices_request)

    notification = the_notification()
    assert (notification.state, notification.attempts) == (Failed, 1)
    assert AuditEvent.objects.get(action="email.failed").details["error_class"] == (
        "SMTPRecipientsRefused"
    )


def test_retries_back_off_doubling_up_to_six_hours(settings) -> None:
    settings.EMAIL_RETRY_BASE_DELAY = 60

    delays = [retry_delay(attempt).total_seconds() for attempt in (1, 2, 3, 4, 9, 40)]

    assert delays == [60, 120, 240, 480, 15_360, 21_600]


def test_a_duplicated_message_sends_the_email_once(alices_request, mailoutbox, settings) -> None:
    settings.EMAIL_BACKEND = backends.DOWN
    reject(alices_request)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification_id = the_notification().pk

    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        services.notification_send(notification_id)
        services.notification_send(notification_id)  # Celery delivered it twice
        sweep()

    assert len(mailoutbox) == 1


def test_a_claimed_email_is_not_handed_out_again_while_a_worker_holds_it(
    alices_request, settings
) -> None:
    settings.EMAIL_BACKEND = backends.DOWN
    reject(alices_request)
    notification_id = the_notification().pk

    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        assert services._claim(notification_id) is not None  # a worker took it, then died

        assert sweep() == []
        assert services._claim(notification_id) is None

    with time_machine.travel(NOW + timedelta(minutes=2) + services.SEND_LEASE, tick=False):
        assert sweep() == [notification_id]  # its lease ran out: another worker may send it


def test_a_row_whose_attempts_ran_out_mid_send_is_failed_by_the_sweep(
    alices_request, settings, django_capture_on_commit_callbacks
) -> None:
    settings.EMAIL_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=False):  # its nudge is lost
        request_reject(alices_request, actor=SYSTEM, reason_code="duplicate")
    services._claim(the_notification().pk)  # the worker was killed while sending

    with time_machine.travel(NOW + services.SEND_LEASE, tick=False):
        assert sweep() == []

    assert the_notification().state == Failed
    assert AuditEvent.objects.get(action="email.failed").details["error_class"] == "Interrupted"


def test_a_broker_that_is_down_at_commit_fails_nothing_and_the_sweep_sends_it(
    alices_request, mailoutbox, monkeypatch
) -> None:
    def broker_down(notification_id: int) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(services, "notification_enqueue", broker_down)

    reject(alices_request)  # no exception reaches the officer

    assert mailoutbox == []
    assert sweep() == [the_notification().pk]
    assert len(mailoutbox) == 1


def test_a_keyed_email_is_recorded_once(db: None, mailoutbox) -> None:
    with committed():
        first = notify(
            "notifications/digest", recipient=ALICE, subject="s", context={}, key="digest:x"
        )
        again = notify(
            "notifications/digest", recipient=ALICE, subject="s", context={}, key="digest:x"
        )

    assert first.pk == again.pk
    assert Notification.objects.count() == 1


def test_an_email_needs_a_recipient(db: None) -> None:
    with pytest.raises(ValueError, match="needs a recipient"):
        notify("notifications/rejection", recipient="", subject="s", context={})


def test_an_email_whose_nudge_was_lost_is_sent_by_the_next_sweep(
    alices_request, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the broker lost the message
        request_reject(alices_request, actor=SYSTEM, reason_code="duplicate")
    assert mailoutbox == []

    assert sweep() == [the_notification().pk]
    assert len(mailoutbox) == 1
    assert the_notification().state == Sent
