"""intake_submit: one request per open email, links re-sent, nothing valid lost."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.lifecycle.requests import request_approve, request_verify
from heapprivacy.erasure.lifecycle.subjects import subject_parse
from heapprivacy.erasure.models import ErasureRequest, HeapAccount, Subject
from heapprivacy.intake.models import VerificationLink
from heapprivacy.intake.services import (
    MAX_EMAILS_PER_REQUEST_PER_DAY,
    IntakeUnavailable,
    intake_account,
    intake_submit,
)
from tests.erasure.factories import SYSTEM, make_account, make_request
from tests.intake.conftest import ALICE, committed, verify_path

pytestmark = pytest.mark.django_db


def submit(**kw: object) -> ErasureRequest:
    with committed():
        return intake_submit(email=kw.pop("email", ALICE), jurisdiction="GDPR-EU", **kw)


def identities(*values: str) -> list:
    return [subject_parse("identity", value) for value in values]


def test_it_records_a_form_request_audited_as_the_public_form(account: HeapAccount) -> None:
    request = submit()

    event = AuditEvent.objects.get(action="request.created")
    assert (event.request_ref, event.actor_kind, event.actor_label) == (
        request.reference,
        "system",
        "public form",
    )
    assert event.details == {"source": "form", "jurisdiction": "GDPR-EU", "subjects": 1}


def test_the_same_email_while_a_request_is_open_joins_it_and_resends_the_link(
    account, mailoutbox: list
) -> None:
    first = submit()

    again = submit()

    assert again.pk == first.pk
    assert ErasureRequest.objects.count() == 1
    assert VerificationLink.objects.filter(request=first).count() == 2
    assert [message.to for message in mailoutbox] == [[ALICE], [ALICE]]
    assert verify_path(mailoutbox[0]) != verify_path(mailoutbox[1])


def test_an_open_request_from_another_channel_is_joined_too(account, mailoutbox: list) -> None:
    staff = make_request(account, [ALICE], requester_email=ALICE)

    assert submit().pk == staff.pk
    assert ErasureRequest.objects.count() == 1


def test_a_verified_open_request_gets_a_notice_instead_of_a_link(account, mailoutbox: list) -> None:
    request = submit()
    request_verify(request, actor=SYSTEM, method="document")

    submit()

    assert VerificationLink.objects.count() == 1
    assert "already open" in mailoutbox[-1].subject


def test_a_closed_request_does_not_stop_a_new_one(account) -> None:
    old = make_request(account, [ALICE], requester_email=ALICE)
    request_approve(old, actor=SYSTEM)
    ErasureRequest.objects.filter(pk=old.pk).update(state=ErasureRequest.State.COMPLETED)

    assert submit().pk != old.pk


def test_new_identifiers_join_an_unverified_request_and_repeats_do_not(account, settings) -> None:
    settings.INTAKE_IDENTITY_FROM_EMAIL = False
    request = submit(identifiers=identities("user-1"))

    submit(identifiers=identities("user-1", "user-2"))

    assert list(request.subjects.order_by("pk").values_list("value", flat=True)) == [
        "user-1",
        "user-2",
    ]
    added = AuditEvent.objects.get(action="request.subjects_added")
    assert added.details == {"source": "form", "subjects": 1}


def test_a_verified_request_does_not_grow_from_an_unverified_submission(account, settings) -> None:
    settings.INTAKE_IDENTITY_FROM_EMAIL = False
    request = submit(identifiers=identities("user-1"))
    request_verify(request, actor=SYSTEM, method="document")

    submit(identifiers=identities("someone-else"))

    assert list(Subject.objects.values_list("value", flat=True)) == ["user-1"]


def test_repeat_submissions_send_at_most_a_few_emails_a_day(account, mailoutbox: list) -> None:
    for _ in range(MAX_EMAILS_PER_REQUEST_PER_DAY + 3):
        submit()

    assert len(mailoutbox) == MAX_EMAILS_PER_REQUEST_PER_DAY
    assert VerificationLink.objects.count() == MAX_EMAILS_PER_REQUEST_PER_DAY

    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        submit()

    assert len(mailoutbox) == MAX_EMAILS_PER_REQUEST_PER_DAY + 1


def test_requests_go_to_the_configured_account(db: None, settings) -> None:
    make_account("acme")
    beta = make_account("beta")
    settings.INTAKE_HEAP_ACCOUNT = "beta"

    assert intake_account() == beta


def test_an_inactive_configured_account_is_refused(db: None, settings) -> None:
    HeapAccount.objects.filter(pk=make_account("acme").pk).update(is_active=False)
    settings.INTAKE_HEAP_ACCOUNT = "acme"

    with pytest.raises(IntakeUnavailable):
        intake_account()


def test_without_any_account_intake_is_unavailable(db: None) -> None:
    with pytest.raises(IntakeUnavailable, match="no active Heap account"):
        submit()
