"""The per-IP rate limit of the public form, and where the client IP comes from."""

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from heapprivacy.clientip import client_ip
from heapprivacy.erasure.models import ErasureRequest
from tests.intake.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _three_an_hour(settings) -> None:
    settings.INTAKE_RATE_LIMIT = "3/h"


def post_from(remote: str, forwarded: str | None = None, n: int = 0) -> HttpResponse:
    client = Client(REMOTE_ADDR=remote)
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post(
        "/privacy/erasure/",
        {"email": f"user{n}@example.com", "jurisdiction": "GDPR-EU", "about_me": "on"},
        **headers,
    )


def test_it_answers_429_after_the_limit_from_one_ip(account) -> None:
    answers = [post_from("203.0.113.5", n=n).status_code for n in range(4)]

    assert answers == [302, 302, 302, 429]
    assert ErasureRequest.objects.count() == 3


def test_the_429_page_explains_itself(account) -> None:
    for n in range(4):
        response = post_from("203.0.113.5", n=n)

    assert b"Too many requests" in response.content


def test_other_ips_are_not_limited(account) -> None:
    for n in range(3):
        post_from("203.0.113.5", n=n)

    assert post_from("203.0.113.6", n=9).status_code == 302


def test_invalid_and_honeypot_submissions_count_too(client: Client, account) -> None:
    submit(client, email="bad")
    submit(client, website="spam")
    submit(client)

    assert submit(client, email="other@example.com").status_code == 429


def test_reading_the_form_is_not_limited(client: Client, account) -> None:
    for _ in range(5):
        assert client.get("/privacy/erasure/").status_code == 200


def test_a_forged_forwarded_header_does_not_bypass_the_limit(account) -> None:
    answers = [
        post_from("203.0.113.5", forwarded=f"198.51.100.{n}", n=n).status_code for n in range(4)
    ]

    assert answers[-1] == 429


def test_the_trusted_proxy_header_is_used_when_configured(account, settings) -> None:
    settings.TRUSTED_PROXY_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = "10.0.0.1"

    answers = [post_from(proxy, forwarded=f"198.51.100.{n}", n=n).status_code for n in range(4)]
    same_client = [
        post_from(proxy, forwarded="198.51.100.7", n=10 + n).status_code for n in range(4)
    ]

    assert answers == [302, 302, 302, 302]  # four clients behind one proxy
    assert same_client == [302, 302, 302, 429]


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        ("", "1.2.3.4", "10.0.0.1"),
        ("HTTP_X_FORWARDED_FOR", "1.2.3.4", "1.2.3.4"),
        ("HTTP_X_FORWARDED_FOR", "6.6.6.6, 1.2.3.4", "1.2.3.4"),
        ("HTTP_X_FORWARDED_FOR", "not-an-ip", "10.0.0.1"),
        ("HTTP_X_FORWARDED_FOR", "", "10.0.0.1"),
        ("HTTP_X_FORWARDED_FOR", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"),
        ("HTTP_X_FORWARDED_FOR", "::ffff:1.2.3.4", "1.2.3.4"),
    ],
    ids=["untrusted", "single", "last-of-list", "malformed", "missing", "ipv6-64", "mapped"],
)
def test_client_ip(settings, trusted: str, forwarded: str, expected: str) -> None:
    settings.TRUSTED_PROXY_IP_HEADER = trusted
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
