"""Staff sign in with a password and then a code from their authenticator app (TOTP)."""

import re
from base64 import b32decode

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from heapprivacy.audit.models import AuditEvent
from tests.support.cast import PASSWORD

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, drift=drift):06d}"


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def signed_in_with_password(user: User) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def required(settings) -> None:
    settings.MFA_REQUIRED = True


def test_with_mfa_required_a_user_without_an_app_is_sent_to_set_one_up(required, officer) -> None:
    client = signed_in_with_password(officer)

    response = client.get("/requests/", follow=True)

    (last, _) = response.redirect_chain[-1]
    assert last.startswith("/accounts/two-factor/setup?next=%2Frequests%2F")
    page = response.content.decode()
    assert "Set up two-factor sign-in" in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert 'aria-label="Main"' not in page


def test_the_first_right_code_turns_the_app_on_and_opens_the_console(required, officer) -> None:
    client = signed_in_with_password(officer)
    client.get("/accounts/two-factor/setup")
    device = TOTPDevice.objects.get(user=officer)

    response = client.post(
        "/accounts/two-factor/setup", {"code": code_for(device), "next": "/requests/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/requests/"
    assert client.get("/requests/").status_code == 200
    assert TOTPDevice.objects.get(user=officer).confirmed
    assert AuditEvent.objects.filter(action="user.mfa_enrolled", target_id=officer.pk).exists()


def test_the_key_shown_for_typing_is_the_device_key(required, officer) -> None:
    client = signed_in_with_password(officer)

    page = client.get("/accounts/two-factor/setup").content.decode()

    shown = re.search(r"<code data-secret>([A-Z2-7 ]+)</code>", page)
    assert shown is not None
    key = shown.group(1).replace(" ", "")
    key += "=" * (-len(key) % 8)
    assert b32decode(key) == TOTPDevice.objects.get(user=officer).bin_key


def test_a_wrong_code_at_setup_is_refused_and_audited(required, officer) -> None:
    client = signed_in_with_password(officer)
    client.get("/accounts/two-factor/setup")

    response = client.post("/accounts/two-factor/setup", {"code": "000000"})

    assert "That code does not match the key" in response.content.decode()
    assert not TOTPDevice.objects.get(user=officer).confirmed
    assert client.get("/requests/").status_code == 302
    assert AuditEvent.objects.filter(action="user.mfa_failed", target_id=officer.pk).exists()


def test_a_user_with_an_app_gives_its_code_after_the_password(officer) -> None:
    device = enrolled(officer)
    client = signed_in_with_password(officer)

    assert client.get("/requests/")["Location"] == "/accounts/two-factor/?next=%2Frequests%2F"
    response = client.post("/accounts/two-factor/?next=/requests/", {"code": code_for(device)})

    assert response["Location"] == "/requests/"
    assert client.get("/requests/").status_code == 200


def test_a_wrong_sign_in_code_keeps_the_console_shut_and_is_audited(officer) -> None:
    enrolled(officer)
    client = signed_in_with_password(officer)

    response = client.post("/accounts/two-factor/", {"code": "123456"})

    assert "That code is not right" in response.content.decode()
    assert client.get("/requests/").status_code == 302
    event = AuditEvent.objects.get(action="user.mfa_failed")
    assert event.details == {"username": "olivia", "step": "sign-in"}


def test_a_code_from_the_previous_window_still_counts(officer) -> None:
    device = enrolled(officer)
    client = signed_in_with_password(officer)

    client.post("/accounts/two-factor/", {"code": code_for(device, drift=-1)})

    assert client.get("/requests/").status_code == 200


def test_without_mfa_required_a_user_without_an_app_goes_straight_in(settings, officer) -> None:
    settings.MFA_REQUIRED = False
    client = signed_in_with_password(officer)

    assert client.get("/requests/").status_code == 200


def test_the_public_pages_and_the_api_are_not_held_up(required, officer) -> None:
    client = signed_in_with_password(officer)

    assert client.get("/privacy/erasure/").status_code == 200
    assert client.get("/api/v1/requests").status_code == 401


def test_the_next_address_never_leaves_the_site(officer) -> None:
    device = enrolled(officer)
    client = signed_in_with_password(officer)

    response = client.post(
        "/accounts/two-factor/?next=https://evil.example/", {"code": code_for(device)}
    )

    assert response["Location"] == "/"


def test_an_administrator_resets_a_lost_authenticator(administrator_client, officer) -> None:
    enrolled(officer)

    administrator_client.post(f"/users/{officer.pk}/mfa-reset")

    assert not TOTPDevice.objects.filter(user=officer).exists()
    event = AuditEvent.objects.get(action="user.mfa_reset")
    assert event.details == {"username": "olivia", "devices": 1}
