"""Logging in through the real form, and the lockout after repeated failures (django-axes)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from heapprivacy.accounts.roles import Role
from heapprivacy.accounts.services import user_create
from tests.e2e.conftest import PASSWORD, log_in

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_wrong_password_shows_an_error_and_no_console(
    page: Page, live_server: LiveServer, officer: User
) -> None:
    log_in(page, live_server.url, "olivia", "not the password")

    expect(page.get_by_role("alert")).to_contain_text("enter a correct username and password")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_the_right_password_opens_the_dashboard(
    page: Page, live_server: LiveServer, officer: User
) -> None:
    log_in(page, live_server.url, "olivia")

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("header .who")).to_contain_text("olivia · Privacy officer")


def test_after_the_failure_limit_even_the_right_password_meets_the_lockout_page(
    page: Page, live_server: LiveServer, officer: User
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(page, live_server.url, "olivia", "not the password")

    log_in(page, live_server.url, "olivia", PASSWORD)

    expect(page.get_by_role("heading", name="Too many failed log-ins")).to_be_visible()
    page.goto(live_server.url + "/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")


def test_one_failure_short_of_the_limit_the_right_password_still_works(
    page: Page, live_server: LiveServer, officer: User
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(page, live_server.url, "olivia", "not the password")

    log_in(page, live_server.url, "olivia", PASSWORD)

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_a_lockout_holds_one_username_only(
    page: Page, live_server: LiveServer, officer: User
) -> None:
    user_create("oscar", PASSWORD, [Role.OFFICER])
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(page, live_server.url, "olivia", "not the password")

    log_in(page, live_server.url, "oscar", PASSWORD)

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("header .who")).to_contain_text("oscar")
