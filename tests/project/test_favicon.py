"""Browsers ask for /favicon.ico at the site root: it is there, and every page names it."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_site_root_serves_a_favicon(client: Client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO file


def test_pages_link_to_it(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()

    assert '<link rel="icon" href="/favicon.ico"' in page
