"""Signed tokens: each kind under its own salt, verification ones expiring."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from heapprivacy.notifications.tokens import (
    TokenExpired,
    TokenInvalid,
    nonce_new,
    status_token_make,
    status_token_read,
    verification_token_make,
    verification_token_read,
)


def test_a_verification_token_carries_its_nonce() -> None:
    nonce = nonce_new()

    assert verification_token_read(verification_token_make(nonce)) == nonce


def test_a_verification_token_expires_after_the_ttl(settings) -> None:
    token = verification_token_make("n")
    settings.VERIFICATION_LINK_TTL = 60

    later = timezone.now() + timedelta(seconds=61)

    with time_machine.travel(later), pytest.raises(TokenExpired):
        verification_token_read(token)


def test_a_status_token_never_expires() -> None:
    token = status_token_make("DSR-2026-000001")

    with time_machine.travel(timezone.now() + timedelta(days=3650)):
        assert status_token_read(token) == "DSR-2026-000001"


def test_one_kind_of_token_is_not_accepted_as_the_other() -> None:
    with pytest.raises(TokenInvalid):
        status_token_read(verification_token_make("DSR-2026-000001"))
    with pytest.raises(TokenInvalid):
        verification_token_read(status_token_make("DSR-2026-000001"))


def test_a_token_signed_with_another_key_is_invalid(settings) -> None:
    token = status_token_make("DSR-2026-000001")
    settings.SECRET_KEY = "x" * 60

    with pytest.raises(TokenInvalid):
        status_token_read(token)
