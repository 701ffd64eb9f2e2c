"""An officer imports a CSV file in the browser and watches a real worker import it.

The confirmation's own nudge reaches a Celery worker subprocess, started only once the page
shows the queued job, so the page is seen before, during and after the import. A large upload
is checked by that worker too, before the officer sees its preview. The second test
plays the worker's part itself (the counts it writes to the cache, then the finished job row) to
see the bar follow those counts without the page being reloaded.
"""

import csv
from dataclasses import asdict
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Frame, Page, Request, expect
from pytest_django.live_server_helper import LiveServer

from heapprivacy.celery import app as celery_app
from heapprivacy.erasure.imports.importer import ImportReport
from heapprivacy.erasure.models import ErasureRequest, HeapAccount, Subject
from heapprivacy.intake.imports import progress_key
from heapprivacy.intake.models import ImportJob
from tests.e2e.conftest import log_in
from tests.erasure.factories import make_account
from tests.support.processes import celery_worker

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROWS = 3000
REQUESTS = 30  # rows sharing an external_ref form one request


@pytest.fixture
def account() -> HeapAccount:
    return make_account("acme")


@pytest.fixture
def backlog(tmp_path: Path) -> Path:
    """ROWS good rows in REQUESTS requests, and two bad rows, at lines 3 and 1502."""
    rows = [[f"user-{n}@example.com", f"BACKLOG-{n % REQUESTS}"] for n in range(ROWS)]
    rows.insert(1, ["", "BACKLOG-1"])
    rows.insert(1500, ["x" * 256, "BACKLOG-2"])
    path = tmp_path / "backlog.csv"
    with path.open("w", newline="") as file:
        csv.writer(file).writerows([["identity", "external_ref"], *rows])
    return path


def test_an_officer_confirms_an_upload_and_watches_a_worker_import_it(
    page: Page,
    live_server: LiveServer,
    officer: User,
    account: HeapAccount,
    backlog: Path,
    tmp_path: Path,
    artifacts: Path,
) -> None:
    celery_app.control.purge()  # no message left by an earlier run
    log_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/imports/")
    page.get_by_label("CSV file").set_input_files(backlog)
    page.get_by_label("Heap account").select_option(label=str(account))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Import preview")).to_be_visible()

    page.get_by_role("button", name="Confirm import").click()

    expect(page.get_by_role("heading", name="Import queued")).to_be_visible()
    bar = page.locator("#import-progress progress")
    expect(bar).to_have_attribute("max", str(ROWS + 2))
    expect(bar).to_have_attribute("value", "0")
    page.screenshot(path=artifacts / "import-queued.png", full_page=True)
    progress_url = page.url
    loads: list[str] = []
    polls: list[str] = []
    page.on("framenavigated", lambda frame: _main(page, frame) and loads.append(frame.url))
    page.on("request", lambda request: _json(request) and polls.append(request.url))

    with celery_worker(tmp_path, purge=False):  # picks up the confirmation's nudge
        expect(page.get_by_role("heading", name="Import done")).to_be_visible(timeout=120_000)

    page.screenshot(path=artifacts / "import-done.png", full_page=True)
    expect(bar).to_have_attribute("value", str(ROWS + 2))
    expect(page.locator("#import-progress .counts")).to_have_text(
        f"{ROWS + 2} of {ROWS + 2} rows read: {ROWS} imported, 2 refused."
    )
    expect(page.locator("table.import-errors tbody td:first-child")).to_have_text(["3", "1502"])
    expect(page.locator("ul.created li")).to_have_count(REQUESTS)
    assert loads == [progress_url]  # one reload, by the script, once the job had finished
    assert polls, "the page never asked for the job's progress"
    assert Subject.objects.count() == ROWS
    assert ErasureRequest.objects.count() == REQUESTS
    assert ImportJob.objects.get().state == ImportJob.State.DONE


def test_a_large_upload_is_checked_by_the_worker_then_confirmed_and_imported(
    page: Page,
    live_server: LiveServer,
    officer: User,
    account: HeapAccount,
    backlog: Path,
    tmp_path: Path,
    settings: object,
) -> None:
    settings.PREVIEW_INLINE_BYTES = 1000  # the backlog is ~90 kB: checked in the background
    celery_app.control.purge()
    log_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/imports/")
    page.get_by_label("CSV file").set_input_files(backlog)
    page.get_by_label("Heap account").select_option(label=str(account))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Checking the file")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)

    with celery_worker(tmp_path, purge=False):  # picks up the upload's nudge, then the import's
        expect(page.get_by_role("heading", name="Import preview")).to_be_visible(timeout=120_000)
        expect(page.locator(".tiles .figure").first).to_have_text(f"{ROWS:,}")
        page.get_by_role("button", name="Confirm import").click()
        expect(page.get_by_role("heading", name="Import done")).to_be_visible(timeout=120_000)

    assert Subject.objects.count() == ROWS
    assert ErasureRequest.objects.count() == REQUESTS


def test_the_bar_follows_the_workers_counts_without_reloading_the_page(
    page: Page, live_server: LiveServer, officer: User, account: HeapAccount
) -> None:
    job = ImportJob.objects.create(
        token="E" * 32,
        created_by=officer,
        account=account,
        name="backlog.csv",
        size=90_000,
        rows=ROWS,
        state=ImportJob.State.RUNNING,
        attempts=1,
        started_at=timezone.now(),
    )
    cache.set(progress_key(job.token, 1), {"read": 1000, "imported": 990, "refused": 10})
    log_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/imports/{job.token}/progress")
    bar = page.locator("#import-progress progress")
    expect(bar).to_have_attribute("value", "1000")
    page.evaluate("window.sameDocument = true")

    cache.set(progress_key(job.token, 1), {"read": 2500, "imported": 2480, "refused": 20})

    expect(bar).to_have_js_property("value", 2500)
    expect(page.locator("#import-progress .counts")).to_have_text(
        f"2500 of {ROWS} rows read: 2480 imported, 20 refused."
    )
    assert page.evaluate("window.sameDocument") is True

    report = ImportReport(requests=1, subjects=2980, refused=20)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.DONE,
        finished_at=timezone.now(),
        requests=1,
        subjects=2980,
        refused=20,
        report=asdict(report),
    )

    expect(page.get_by_role("heading", name="Import done")).to_be_visible()
    expect(bar).to_have_attribute("value", str(ROWS))
    assert page.evaluate("window.sameDocument") is None  # reloaded to show the report


def _main(page: Page, frame: Frame) -> bool:
    return frame == page.main_frame


def _json(request: Request) -> bool:
    return request.url.endswith("/progress.json")
