"""The emailed verification link: GET asks for a click, POST verifies, once, before it expires."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.legal.deadlines import local_date
from heapprivacy.erasure.lifecycle.requests import request_cancel, request_verify
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.intake import services
from heapprivacy.intake.models import VerificationLink
from tests.erasure.factories import SYSTEM
from tests.intake.conftest import ALICE, confirm, status_path, submit, verify_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def emailed(client: Client, account, mailoutbox: list) -> str:
    """The verification path from the email a fresh submission sent."""
    submit(client)
    return verify_path(mailoutbox[0])


def the_request() -> ErasureRequest:
    return ErasureRequest.objects.get()


def unchanged() -> bool:
    request = the_request()
    return request.state == "received" and request.verified_at is None


def test_following_the_link_asks_to_confirm_and_changes_nothing(
    client: Client, emailed: str
) -> None:
    response = client.get(emailed)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Confirm my request" in page
    assert the_request().reference in page
    assert f"<code>{ALICE}</code>" in page  # what will be erased, shown to the inbox's owner
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]
    assert unchanged()  # a mail scanner opening the link verifies nothing


def test_confirming_verifies_the_request_by_email_link(client: Client, emailed: str) -> None:
    response = confirm(client, emailed)

    request = the_request()
    assert response.status_code == 200
    assert request.state == ErasureRequest.State.VERIFIED
    assert request.verified_at is not None
    event = AuditEvent.objects.get(action="request.verified")
    assert event.details == {"method": "email_link", "note_id": None}
    assert event.actor_label == "email link"


def test_confirming_shows_the_reference_timeline_and_status_link(
    client: Client, emailed: str
) -> None:
    page = confirm(client, emailed).content.decode()

    request = the_request()
    assert "Request confirmed" in page
    assert request.reference in page
    assert "within one month" in page
    assert 'href="/privacy/erasure/status/' in page


def test_confirming_sends_the_acknowledgement(
    client: Client, emailed: str, mailoutbox: list
) -> None:
    confirm(client, emailed)

    ack = mailoutbox[-1]
    assert len(mailoutbox) == 2
    assert ack.to == [ALICE]
    assert the_request().reference in ack.subject
    assert "within one month" in ack.body
    assert client.get(status_path(ack)).status_code == 200
    html, mimetype = ack.alternatives[0]
    assert mimetype == "text/html"
    assert the_request().reference in html
    assert the_request().acknowledged_at is not None


def test_the_acknowledgement_gives_the_date_we_respond_by(
    client: Client, emailed: str, mailoutbox: list
) -> None:
    confirm(client, emailed)

    day = local_date(the_request().due_at)
    assert f"We will respond by {day.day} {day:%B %Y} at the latest." in mailoutbox[-1].body
    html, _ = mailoutbox[-1].alternatives[0]
    assert f"<strong>{day.day} {day:%B %Y}</strong>" in html


def test_the_acknowledgement_gives_the_jurisdictions_timeline(
    client: Client, account, mailoutbox: list
) -> None:
    submit(client, jurisdiction="CCPA")
    confirm(client, verify_path(mailoutbox[0]))

    assert "within 45 days" in mailoutbox[-1].body


def test_a_replayed_link_is_refused_and_changes_nothing(
    client: Client, emailed: str, mailoutbox: list
) -> None:
    confirm(client, emailed)
    verified_at = the_request().verified_at
    events = AuditEvent.objects.count()

    again = confirm(client, emailed)
    shown = client.get(emailed)

    assert again.status_code == shown.status_code == 410
    assert b"already been used" in again.content
    assert b'href="/privacy/erasure/"' in again.content  # offers to send it again
    assert the_request().verified_at == verified_at
    assert AuditEvent.objects.count() == events
    assert len(mailoutbox) == 2  # no second acknowledgement


def test_of_two_clicks_racing_only_one_verifies(client: Client, emailed: str, monkeypatch) -> None:
    token = emailed.rsplit("/", 1)[1]
    checked_before_the_other_click = services.verification_check(token)
    confirm(client, emailed)
    monkeypatch.setattr(
        services, "verification_check", lambda token: checked_before_the_other_click
    )

    with pytest.raises(services.LinkUsed):
        services.verification_confirm(token)
    assert AuditEvent.objects.filter(action="request.verified").count() == 1


def test_an_expired_link_is_refused_and_changes_nothing(
    client: Client, emailed: str, settings
) -> None:
    later = timezone.now() + timedelta(seconds=settings.VERIFICATION_LINK_TTL + 1)

    with time_machine.travel(later):
        response = confirm(client, emailed)

    assert response.status_code == 410
    assert b"This link has expired" in response.content
    assert unchanged()
    assert VerificationLink.objects.get().used_at is None


def test_a_link_is_still_good_just_before_it_expires(
    client: Client, emailed: str, settings
) -> None:
    nearly = timezone.now() + timedelta(seconds=settings.VERIFICATION_LINK_TTL - 5)

    with time_machine.travel(nearly):
        assert confirm(client, emailed).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "Im90aGVyIg" + token[token.index(":") :],  # base64 of "other"
        lambda token: "nonsense",
    ],
    ids=["signature", "payload", "garbage"],
)
def test_a_tampered_link_is_refused_and_changes_nothing(
    client: Client, emailed: str, tamper
) -> None:
    prefix, token = emailed.rsplit("/", 1)

    response = client.post(f"{prefix}/{tamper(token)}")

    assert response.status_code == 400
    assert b"This link does not work" in response.content
    assert unchanged()


def test_a_status_token_is_no_verification_token(
    client: Client, emailed: str, mailoutbox: list
) -> None:
    status_token = status_path(mailoutbox[0]).rsplit("/", 1)[1]

    assert client.post(f"/privacy/erasure/verify/{status_token}").status_code == 400
    assert unchanged()


def test_one_confirmation_spends_every_link_of_the_request(
    client: Client, emailed: str, mailoutbox: list
) -> None:
    submit(client)  # a second link, re-sent
    second = verify_path(mailoutbox[1])

    confirm(client, second)

    assert confirm(client, emailed).status_code == 410
    assert not VerificationLink.objects.filter(used_at=None).exists()


def test_a_request_verified_meanwhile_by_an_officer_needs_no_confirming(
    client: Client, emailed: str, mailoutbox: list
) -> None:
    request_verify(the_request(), actor=SYSTEM, method="document")

    response = confirm(client, emailed)

    assert response.status_code == 200
    assert b"Nothing more to confirm" in response.content
    assert AuditEvent.objects.filter(action="request.verified").count() == 1
    assert len(mailoutbox) == 1  # no acknowledgement from the link


def test_a_cancelled_request_is_not_verified(client: Client, emailed: str) -> None:
    request_cancel(the_request(), actor=SYSTEM, author=None, reason="the requester withdrew it")

    confirm(client, emailed)

    assert the_request().state == ErasureRequest.State.CANCELLED


def test_confirming_needs_the_csrf_token(emailed: str) -> None:
    response = Client(enforce_csrf_checks=True).post(emailed)

    assert response.status_code == 403
    assert unchanged()


def test_wrong_method_is_refused(client: Client, emailed: str) -> None:
    assert client.put(emailed).status_code == 405
