"""A data subject asks for erasure on the public form, confirms from the email; an officer sees it.

The subject uses the keyboard only on the form (Tab, typing, Space, Enter): the form must work
without a mouse. The live server runs in this process with pytest-django's locmem email backend,
so the emails it sends land in `django.core.mail.outbox`, and PUBLIC_BASE_URL points the emailed
links at the live server: the browser follows them exactly as written. The outbox's send task,
queued when a request commits, runs at once in the server's thread instead of in a worker
(whose locmem outbox this test could not read).
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import Locator, Page, Response, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from heapprivacy.erasure.models import ErasureRequest, HeapAccount
from tests.e2e.conftest import log_in
from tests.erasure.factories import make_account
from tests.support.processes import tasks_in_process

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SUBJECT_EMAIL = "ada.lovelace@example.org"
UK = "United Kingdom (UK GDPR)"
REFERENCE = re.compile(r"Your request reference is (\S+)\.")
MAX_TABS = 10  # from the top of the page to the first field: the brand link, then the email


@pytest.fixture(autouse=True)
def _intake_settings(settings: Settings, live_server: LiveServer) -> Iterator[None]:
    """Emailed links lead to the live server; the rate limit's counts stay in this test."""
    settings.PUBLIC_BASE_URL = live_server.url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "e2e-intake",
        },
        "limits": settings.CACHES["limits"],
    }
    settings.INTAKE_RATE_LIMIT = "1000/h"
    settings.INTAKE_IDENTITY_FROM_EMAIL = True
    settings.INTAKE_HEAP_ACCOUNT = ""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _emails_sent_in_process() -> Iterator[None]:
    with tasks_in_process():
        yield


@pytest.fixture
def account() -> HeapAccount:
    """The one active Heap account, which public-form requests go to."""
    return make_account()


@pytest.fixture
def form_url(live_server: LiveServer, account: HeapAccount) -> str:
    return f"{live_server.url}/privacy/erasure/"


def assert_page(response: Response | None, status: int = 200) -> None:
    assert response is not None
    assert response.status == status, response.url
    assert "script-src 'self'" in response.headers["content-security-policy"]


def tab_to(page: Page, target: Locator) -> None:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{MAX_TABS} presses of Tab never reached {target}")


def submit_by_keyboard(page: Page, form_url: str, artifacts: Path | None = None) -> None:
    """Fill in and send the form with Tab, typing, Space and Enter: no click anywhere."""
    assert_page(page.goto(form_url))
    expect(page.get_by_role("heading", name="Ask us to erase your data")).to_be_visible()
    email = page.get_by_label("Your email address")
    jurisdiction = page.get_by_label("Where do you live?")
    about_me = page.get_by_role("checkbox", name="This request is about me")
    send = page.get_by_role("button", name="Send request")

    tab_to(page, email)
    page.keyboard.type(SUBJECT_EMAIL)
    page.keyboard.press("Tab")
    expect(jurisdiction).to_be_focused()
    page.keyboard.type("United")  # a closed select's type-ahead picks the first match
    expect(jurisdiction.locator("option:checked")).to_have_text(UK)
    page.keyboard.press("Tab")
    expect(about_me).to_be_focused()
    page.keyboard.press("Space")
    expect(about_me).to_be_checked()
    page.keyboard.press("Tab")  # past the honeypot: it is hidden and out of the tab order
    expect(send).to_be_focused()
    expect(email).to_have_value(SUBJECT_EMAIL)
    if artifacts is not None:
        page.screenshot(path=artifacts / "intake-form.png", full_page=True)

    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert page.url.endswith("/privacy/erasure/sent")


def the_email(subject_starts: str) -> mail.EmailMessage:
    found = [message for message in mail.outbox if message.subject.startswith(subject_starts)]
    assert len(found) == 1, [message.subject for message in mail.outbox]
    assert found[0].to == [SUBJECT_EMAIL]
    return found[0]


def emailed_link(message: mail.EmailMessage, base_url: str, kind: str) -> str:
    """The `verify` or `status` link of an email's plain-text body, on the live server."""
    links = re.findall(rf"{re.escape(base_url)}/privacy/erasure/{kind}/\S+", message.body)
    assert len(links) == 1, message.body
    return links[0]


def emailed_reference(message: mail.EmailMessage) -> str:
    found = REFERENCE.search(message.body)
    assert found, message.body
    return found.group(1)


def confirm(page: Page, verify_url: str, artifacts: Path | None = None) -> None:
    assert_page(page.goto(verify_url))
    expect(page.get_by_role("heading", name="Confirm your request")).to_be_visible()
    expect(page.locator("main ul code")).to_have_text([SUBJECT_EMAIL])
    if artifacts is not None:
        page.screenshot(path=artifacts / "intake-verify.png", full_page=True)

    page.get_by_role("button", name="Confirm my request").click()

    expect(page.get_by_role("heading", name="Request confirmed")).to_be_visible()


def test_a_subject_confirms_by_email_and_an_officer_finds_the_request_verified(
    page: Page, live_server: LiveServer, form_url: str, officer: User, artifacts: Path
) -> None:
    submit_by_keyboard(page, form_url, artifacts)
    page.screenshot(path=artifacts / "intake-sent.png", full_page=True)
    # The same page for every submission: neither the reference nor the address is on it.
    expect(page.locator("main")).not_to_contain_text(SUBJECT_EMAIL)
    verification = the_email("Confirm your request")
    reference = emailed_reference(verification)
    expect(page.locator("main")).not_to_contain_text(reference)

    confirm(page, emailed_link(verification, live_server.url, "verify"), artifacts)

    expect(page.get_by_role("status")).to_contain_text(f"Your request {reference} is confirmed")
    expect(page.locator("main code")).to_have_text(reference)
    page.screenshot(path=artifacts / "intake-confirmed.png", full_page=True)
    acknowledgement = the_email("We have your request")
    assert emailed_reference(acknowledgement) == reference

    log_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/requests/")
    page.get_by_label("Search").fill(reference)
    page.get_by_role("button", name="Filter").click()
    row = page.locator("table.requests tbody tr", has_text=reference)
    expect(row).to_have_count(1)
    expect(row.locator(".state")).to_have_text("Verified")
    expect(row).to_contain_text("GDPR-UK")
    expect(row).to_contain_text(SUBJECT_EMAIL)

    row.get_by_role("link", name=reference).click()

    expect(page.locator("h1 .state")).to_have_text("Verified")
    assert_page(page.reload())
    page.screenshot(path=artifacts / "intake-officer-detail.png", full_page=True)
    lifecycle = page.locator("section", has=page.get_by_role("heading", name="Lifecycle"))
    verified = lifecycle.locator("ol.timeline li", has_text="identity verified by email link")
    expect(verified).to_have_count(1)
    verified.get_by_text("Audit event").click()
    expect(verified.locator("pre")).to_contain_text("request.verified")
    expect(verified.locator("pre")).to_contain_text("method: email_link")
    assert ErasureRequest.objects.get(reference=reference).state == ErasureRequest.State.VERIFIED


def test_the_link_followed_again_says_it_has_been_used(
    page: Page, live_server: LiveServer, form_url: str
) -> None:
    submit_by_keyboard(page, form_url)
    verify_url = emailed_link(the_email("Confirm your request"), live_server.url, "verify")
    confirm(page, verify_url)

    assert_page(page.goto(verify_url), status=410)

    expect(page.get_by_role("heading", name="This link has already been used")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm my request")).to_have_count(0)


def test_the_status_page_from_the_email_shows_no_email_address(
    page: Page, live_server: LiveServer, form_url: str, artifacts: Path
) -> None:
    submit_by_keyboard(page, form_url)
    verification = the_email("Confirm your request")
    reference = emailed_reference(verification)
    status_url = emailed_link(verification, live_server.url, "status")

    assert_page(page.goto(status_url))
    expect(page.locator("main code")).to_have_text(reference)
    expect(page.locator(".state")).to_contain_text("waiting for you to confirm it")
    confirm(page, emailed_link(verification, live_server.url, "verify"))
    assert_page(page.goto(status_url))

    expect(page.get_by_role("heading", name="Your erasure request")).to_be_visible()
    expect(page.locator(".state")).to_contain_text("Confirmed")
    page.screenshot(path=artifacts / "intake-status.png", full_page=True)
    html = page.content()
    local_part = SUBJECT_EMAIL.split("@")[0]
    assert SUBJECT_EMAIL not in html
    assert local_part not in html
    assert local_part not in page.url
