"""An officer approves a request in the browser; a real worker takes it to Heap and back.

The request is created by the system (as an intake channel would), so the four-eyes rule lets the
officer approve it. A Celery worker subprocess does the Heap calls against an in-process sandbox;
the test sends `run_sweeps` every second, as beat would every minute.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from heapprivacy.erasure.models import DeletionBatch, ErasureRequest
from heapprivacy.erasure.tasks import run_sweeps
from heapprivacy.sandbox import Sandbox, SandboxConfig
from tests.e2e.conftest import log_in
from tests.erasure.factories import make_account, make_request
from tests.support.processes import celery_worker, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

APP_ID = "3141592653"
API_KEY = "e2e-key-of-the-sandbox"
PIPELINE_ENV = {"BATCH_LINGER": "0", "POLL_FIRST_DELAY": "0", "HEAP_RETRY_BASE_DELAY": "0"}
# The lifecycle as the officer reads it: the start of each sentence, in order.
LIFECYCLE = [
    "Received DSR-",
    "Approved: 2 subjects queued",
    "Sent to Heap: batch #",
    "Heap confirmed batch #",
    "Completed: Heap erased every subject",
]


@pytest.fixture
def heap_url() -> Iterator[str]:
    cache.clear()  # no Heap token left in the shared file cache by an earlier run
    with Sandbox(SandboxConfig(accounts={APP_ID: API_KEY}, complete_after=0)) as sandbox:
        yield sandbox.url


@pytest.fixture
def received(heap_url: str) -> ErasureRequest:
    account = make_account("acme", heap_url, app_id=APP_ID, api_key=API_KEY)
    return make_request(
        account, ["ada@example.com", "grace@example.com"], requester_email="ada@example.com"
    )


def assert_csp(response: Response | None) -> None:
    assert response is not None
    assert response.status == 200, response.url
    assert "script-src 'self'" in response.headers["content-security-policy"]


def is_subsequence(wanted: list[str], seen: list[str]) -> bool:
    """Whether lines starting with `wanted`, in this order, are among `seen`."""
    remaining = iter(seen)
    return all(any(line.startswith(start) for line in remaining) for start in wanted)


def test_an_officer_approves_a_request_and_sees_it_completed(
    page: Page,
    live_server: LiveServer,
    officer: User,
    received: ErasureRequest,
    tmp_path: Path,
    artifacts: Path,
) -> None:
    detail_url = f"{live_server.url}/requests/{received.reference}/"
    log_in(page, live_server.url, "olivia")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    assert_csp(page.goto(detail_url))
    expect(page.locator("h1 .state")).to_have_text("Received")
    page.screenshot(path=artifacts / "request-received.png", full_page=True)

    page.get_by_label("Method").select_option("document")
    page.get_by_role("button", name="Mark verified").click()
    expect(page.locator("h1 .state")).to_have_text("Verified")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Approve erasure").click()

    expect(page.locator(".message.success")).to_contain_text("Approved")
    assert asked == [
        f"Approve {received.reference}? Its subjects will be erased in Heap; this cannot be undone."
    ]
    expect(page.locator("h1 .state")).to_have_text("Approved")

    def completed_on_the_page() -> bool:
        run_sweeps.delay()  # what beat does every minute
        page.reload()
        return page.locator("h1 .state").inner_text() == "Completed"

    with celery_worker(tmp_path, env=PIPELINE_ENV):
        wait_until(completed_on_the_page, timeout=120, interval=1, what="the Completed state")

    assert_csp(page.reload())
    page.screenshot(path=artifacts / "request-detail.png", full_page=True)
    expect(page.locator("article.batch h3")).to_contain_text("Complete")
    timeline = page.locator("ol.timeline li strong").all_inner_texts()

    assert_csp(page.goto(live_server.url + "/"))
    page.screenshot(path=artifacts / "dashboard.png", full_page=True)
    expect(page.locator(".tile", has_text="Completed").locator(".figure")).to_have_text("1")

    assert_csp(page.goto(live_server.url + "/requests/"))
    page.screenshot(path=artifacts / "request-list.png", full_page=True)

    batch_page = page.goto(f"{live_server.url}/batches/{DeletionBatch.objects.get().pk}/")
    assert batch_page is not None
    if batch_page.status != 404:  # the batch page comes with the console's second part
        assert_csp(batch_page)
        page.screenshot(path=artifacts / "batch-detail.png", full_page=True)

    # Last, so that the screenshots above are taken even when the timeline falls short.
    assert is_subsequence(LIFECYCLE, timeline), timeline
