"""An officer asks for the auditor pack in the browser, a real worker builds it, the page turns
into its download without a reload by hand, and the pack's chain verifies."""

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from heapprivacy.audit.chain import verify_chain
from heapprivacy.celery import app as celery_app
from tests.e2e.conftest import log_in
from tests.erasure.factories import make_account, make_request
from tests.support.processes import celery_worker

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_officer_asks_for_the_pack_and_downloads_what_the_worker_built(
    page: Page, live_server: LiveServer, officer: User, tmp_path
) -> None:
    make_request(make_account("acme"), ["alice@example.com", "bob@example.com"])
    celery_app.control.purge()
    log_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/reports/")

    page.get_by_role("button", name="Build auditor pack (ZIP)").click()
    expect(page.get_by_role("heading", name="Building the auditor pack")).to_be_visible()

    with celery_worker(tmp_path, purge=False):  # picks up the page's nudge
        expect(page.get_by_role("heading", name="Auditor pack ready")).to_be_visible(
            timeout=120_000
        )
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the pack").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    events = [json.loads(line) for line in archive.read("audit.jsonl").splitlines()]
    assert verify_chain(iter(events)) is None
    assert events[-1]["action"] == "export.pack"
