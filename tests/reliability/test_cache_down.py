"""The shared cache (Redis) down: requests are still filed, rate limits still count.

The default cache points at a port where nothing listens, as when Redis has stopped. The rate
limits fall back to counting in this process, with a warning; nothing answers 500.
"""

import logging

import pytest
from django.core.cache import caches
from django.test import Client

from heapprivacy.erasure.models import ErasureRequest
from tests.api.conftest import client_with
from tests.intake.conftest import FORM_URL, form_data

pytestmark = [pytest.mark.django_db, pytest.mark.no_heap]  # no Heap call: the cache is what fails

NOTHING_LISTENS = "redis://127.0.0.1:9/0"


@pytest.fixture(autouse=True)
def cache_down(settings) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": NOTHING_LISTENS,
        },
    }
    caches["limits"].local.clear()
    caches["limits"].retry_at = 0.0


def api_post(token: str, account) -> object:
    body = {
        "subjects": [{"kind": "identity", "value": "alice@example.com"}],
        "heap_account": account.label,
    }
    return Client().post(
        "/api/v1/requests",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_the_api_files_a_request_with_the_cache_down_and_says_so_in_the_log(
    account, caplog
) -> None:
    _, token = client_with("requests:create")

    with caplog.at_level(logging.WARNING, logger="heapprivacy.limits"):
        response = api_post(token, account)

    assert response.status_code == 201
    assert ErasureRequest.objects.filter(reference=response.json()["reference"]).exists()
    assert "rate limits count in this process only" in caplog.text


def test_the_api_rate_limit_still_holds_in_the_process(account, settings) -> None:
    settings.API_RATE_LIMIT = "2/m"
    _, token = client_with("requests:create")

    statuses = [api_post(token, account).status_code for _ in range(3)]

    assert statuses == [201, 201, 429]


def test_the_public_form_files_a_request_with_the_cache_down(account, settings) -> None:
    settings.INTAKE_RATE_LIMIT = "1000/h"

    response = Client().post(FORM_URL, form_data())

    assert response.status_code == 302
    assert ErasureRequest.objects.count() == 1


def test_the_public_form_limit_still_holds_in_the_process(account, settings) -> None:
    settings.INTAKE_RATE_LIMIT = "2/h"

    emails = [f"subject{n}@example.com" for n in range(3)]
    statuses = [Client().post(FORM_URL, form_data(email=e)).status_code for e in emails]

    assert statuses == [302, 302, 429]
    assert ErasureRequest.objects.count() == 2
