"""The new API client's token: shown once, whole, with a button that copies it."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from heapprivacy.api.models import ApiClient
from heapprivacy.api.services import token_hash
from tests.e2e.conftest import log_in

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def context_options(live_server: LiveServer) -> dict:
    return {"permissions": ["clipboard-read", "clipboard-write"]}


def test_the_copy_button_puts_the_whole_token_on_the_clipboard(
    page: Page, live_server: LiveServer, administrator: User
) -> None:
    log_in(page, live_server.url, "adam")
    page.goto(f"{live_server.url}/api-clients/new")
    page.get_by_label("Name").fill("crm-sync")
    page.get_by_label("requests:read", exact=False).first.check()
    page.get_by_role("button", name="Create the client and show its token").click()

    token = page.get_by_label("Token").input_value()
    page.get_by_role("button", name="Copy").click()

    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == token
    assert ApiClient.objects.get(name="crm-sync").token_hash == token_hash(token)
