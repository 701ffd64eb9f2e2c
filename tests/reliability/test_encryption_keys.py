"""A wrong FIELD_ENCRYPTION_KEYS is noticed before any batch: /healthz fails naming it, and
`check --database default` (which migrate runs too) refuses; a rotated key list still works."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from heapprivacy.erasure.models import HeapAccount
from tests.erasure.factories import make_account

pytestmark = [pytest.mark.django_db, pytest.mark.no_heap]


@pytest.fixture
def saved(settings) -> str:
    """An account saved under the first key; answers that key."""
    make_account("acme")
    return settings.FIELD_ENCRYPTION_KEYS[0]


def test_healthz_fails_naming_the_account_whose_key_nothing_decrypts(saved, settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["down"] == ["encryption"]
    assert "Heap account acme" in response.json()["encryption"]


def test_the_database_check_refuses_to_pass(saved, settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(SystemCheckError, match=r"heapprivacy\.E001"):
        call_command("check", databases=["default"])


def test_after_rotation_the_old_key_second_in_the_list_still_decrypts(saved, settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), saved]

    assert Client().get("/healthz").json()["encryption"] == "ok"
    call_command("check", databases=["default"])


def test_an_inactive_account_is_not_checked(saved, settings) -> None:
    HeapAccount.objects.filter(label="acme").update(is_active=False)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    assert Client().get("/healthz").json()["encryption"] == "ok"
