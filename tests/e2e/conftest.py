"""Browser tests: a real Chromium driven by Playwright against pytest-django's live server.

The machine has no network and no Playwright-downloaded browsers: Debian's Chromium is launched
directly (`.ci/run` installs it when missing). One browser per session, a fresh context and page
per test, so no cookie or session leaks from one test into the next.

Each module marks its tests `integration` (they start a browser and a server) and
`django_db(transaction=True, serialized_rollback=True)`: the live server and any worker subprocess
see only committed rows, and the role groups, which a data migration creates, are restored after
every transactional flush.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.support.cast import PASSWORD

# Playwright's sync API runs an event loop in the test's thread; Django then refuses ORM calls
# from that thread as "async unsafe" although they are plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
# The network is closed: nothing in Chromium may try to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (see .ci/run)")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def context_options() -> dict:
    """Options of each test's browser context; a module overrides this fixture to change them."""
    return {}


@pytest.fixture
def page(browser: Browser, context_options: dict, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        page.screenshot(path=artifacts_dir() / f"FAILED-{request.node.name}.png", full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    """Keep the call phase's report on the item, so `page` can screenshot a failed test."""
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def artifacts() -> Path:
    return artifacts_dir()


def log_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Through the real login form, as a person would."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
