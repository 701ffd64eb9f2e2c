"""A server error with DEBUG off: a plain page, no traceback, no secret, no setting."""

import pytest
from django.test import Client

from tests.erasure.factories import API_KEY

pytestmark = pytest.mark.django_db


def test_a_server_error_shows_a_plain_page_and_nothing_of_the_error(settings) -> None:
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.reliability.broken_urls"

    response = Client(raise_request_exception=False).get("/broken")

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page
    for leak in (API_KEY, "RuntimeError", "Traceback", settings.SECRET_KEY):
        assert leak not in page
