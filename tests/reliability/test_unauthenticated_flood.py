"""Calls that name no valid client cannot flood the audit trail: past API_AUTH_FAILURE_LIMIT
failed authentications an address gets 429 before its token is read, logged, not audited;
another address, and a client with a valid token, are not held up."""

import pytest
from django.core.cache import caches
from django.test import Client

from heapprivacy.audit.models import AuditEvent
from tests.api.conftest import client_with

pytestmark = pytest.mark.django_db

URL = "/api/v1/requests"


@pytest.fixture(autouse=True)
def _limit(settings) -> None:
    settings.API_AUTH_FAILURE_LIMIT = "3/m"
    caches["limits"].clear()


WRONG = "hpk_wrong"


def call(token: str = WRONG, address: str = "203.0.113.7") -> int:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "REMOTE_ADDR": address}
    return Client().get(URL, **headers).status_code


def test_an_address_past_its_failed_authentications_gets_429_unaudited() -> None:
    statuses = [call() for _ in range(10)]

    assert statuses == [401] * 3 + [429] * 7
    assert AuditEvent.objects.filter(action="api.call").count() == 3


def test_calls_with_no_token_at_all_count_too() -> None:
    statuses = [Client().get(URL, REMOTE_ADDR="203.0.113.8").status_code for _ in range(5)]

    assert statuses == [401] * 3 + [429] * 2


def test_another_address_is_not_held_up() -> None:
    for _ in range(5):
        call()

    assert call(address="198.51.100.1") == 401


def test_a_valid_client_elsewhere_is_served_and_audited() -> None:
    _, token = client_with("requests:read")
    for _ in range(5):
        call()

    assert call(token=token, address="198.51.100.2") == 200
    assert AuditEvent.objects.filter(action="api.call").count() == 4
