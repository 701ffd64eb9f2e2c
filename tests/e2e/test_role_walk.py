"""Each role through its day, in one browser, on a freshly seeded demo database.

The administrator, with two-factor sign-in required, sets up an authenticator, invites a new
officer, and the officer chooses a password from the emailed link and signs in with TOTP codes.

A data subject files on the public form and confirms from the email; officer A imports a CSV
file and officer B approves what A imported (four eyes), officer A approves the subject's
request; a real Celery worker packs both into a batch, sends it to the Heap sandbox and polls it
until Heap confirms; the auditor downloads the certificate and the auditor pack. Screenshots of
the dashboard, a request, the batch, the audit log and the certificate are saved in
tests/e2e/artifacts/ (files for people to look at, not compared pixel by pixel).

The emails of the public form are sent in this process (its locmem outbox is where the test
reads them); everything after that goes through the worker.
"""

import io
import json
import re
import subprocess
import zipfile
from base64 import b32decode
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from heapprivacy.audit.chain import verify_chain
from heapprivacy.celery import app as celery_app
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, HeapAccount
from heapprivacy.erasure.tasks import run_sweeps
from heapprivacy.ops.management.commands.seed_demo import SANDBOX_API_KEY, SANDBOX_APP_ID
from heapprivacy.sandbox import Sandbox, SandboxConfig
from tests.e2e.conftest import log_in
from tests.support.processes import celery_worker, tasks_in_process, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SUBJECT = "ada.lovelace@example.org"
IMPORTED = ["grace@example.com", "edsger@example.com"]
VIEWPORT = {"width": 1280, "height": 900}
PIPELINE_ENV = {"BATCH_LINGER": "0", "POLL_FIRST_DELAY": "0", "HEAP_RETRY_BASE_DELAY": "0"}


@pytest.fixture
def demo(settings: Settings, live_server: LiveServer) -> Iterator[dict[str, str]]:
    """`seed_demo` on an empty database, its Heap account moved to a sandbox on a free port;
    answers the demo users' passwords (which it writes in the tests' VAR_DIR, shared with the
    worker)."""
    credentials = Path(settings.VAR_DIR) / "demo-credentials.json"
    credentials.unlink(missing_ok=True)
    settings.PUBLIC_BASE_URL = live_server.url
    settings.INTAKE_RATE_LIMIT = "1000/h"
    cache.clear()  # no Heap token or rate count left by an earlier run
    celery_app.control.purge()
    call_command("seed_demo", stdout=io.StringIO())
    with Sandbox(
        SandboxConfig(accounts={SANDBOX_APP_ID: SANDBOX_API_KEY}, complete_after=0)
    ) as sandbox:
        HeapAccount.objects.update(deletion_base_url=sandbox.url, ingestion_base_url=sandbox.url)
        yield json.loads(credentials.read_text())
    credentials.unlink()


@pytest.fixture
def as_user(browser: Browser, live_server: LiveServer, demo: dict[str, str]) -> Iterator[callable]:
    """as_user("officer2"): a page in a browser context of its own, logged in as that user."""
    contexts = []

    def page_for(username: str) -> Page:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        log_in(page, live_server.url, username, demo[username])
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        return page

    yield page_for
    for context in contexts:
        context.close()


def subject_files_and_confirms(page: Page, base_url: str) -> str:
    """The public form, then the emailed link; answers the request's reference."""
    with tasks_in_process():
        page.goto(f"{base_url}/privacy/erasure/")
        page.get_by_label("Your email address").fill(SUBJECT)
        page.get_by_label("Where do you live?").select_option(label="United Kingdom (UK GDPR)")
        page.get_by_role("checkbox", name="This request is about me").check()
        page.get_by_role("button", name="Send request").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
        (message,) = [m for m in mail.outbox if m.subject.startswith("Confirm your request")]
        (link,) = re.findall(rf"{re.escape(base_url)}/privacy/erasure/verify/\S+", message.body)
        page.goto(link)
        page.get_by_role("button", name="Confirm my request").click()
        expect(page.get_by_role("heading", name="Request confirmed")).to_be_visible()
    return page.locator("main code").inner_text()


def officer_imports(page: Page, base_url: str, tmp_path: Path) -> list[str]:
    """Upload, preview, confirm; the worker imports. Answers the references it created."""
    csv_file = tmp_path / "tickets.csv"
    csv_file.write_text("identity,external_ref\n" + "".join(f"{i},T-42\n" for i in IMPORTED))
    page.goto(f"{base_url}/imports/")
    page.get_by_label("CSV file").set_input_files(csv_file)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Import preview")).to_be_visible()
    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_role("heading", name="Import done")).to_be_visible(timeout=60_000)
    return page.locator("ul.created li a").all_inner_texts()


def approve(page: Page, base_url: str, reference: str, *, verify: bool) -> None:
    page.goto(f"{base_url}/requests/{reference}/")
    if verify:
        page.get_by_label("Method").select_option("document")
        page.get_by_role("button", name="Mark verified").click()
        expect(page.locator("h1 .state")).to_have_text("Verified")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Approve erasure").click()
    expect(page.locator("h1 .state")).to_have_text("Approved")


def pdf_screenshot(pdf: Path, png: Path) -> None:
    """The first page of a PDF as a PNG, rendered by poppler's pdftoppm."""
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            pdf,
            png.with_suffix(""),
        ],
        check=True,
    )


def test_each_role_goes_through_its_day(
    page: Page, live_server: LiveServer, as_user, tmp_path: Path, artifacts: Path
) -> None:
    base = live_server.url
    public = subject_files_and_confirms(page, base)

    with celery_worker(tmp_path, env=PIPELINE_ENV, purge=False):
        officer_a = as_user("officer")
        (imported,) = officer_imports(officer_a, base, tmp_path)
        officer_b = as_user("officer2")
        approve(officer_b, base, imported, verify=True)
        approve(officer_a, base, public, verify=False)

        def both_completed() -> bool:
            run_sweeps.delay()  # what beat does every minute
            return ErasureRequest.objects.filter(state="completed").count() == 2

        wait_until(both_completed, timeout=120, interval=1, what="both requests completed")

        officer_a.goto(f"{base}/dashboard/")
        officer_a.screenshot(path=artifacts / "walk-dashboard.png", full_page=True)
        officer_a.goto(f"{base}/requests/{imported}/")
        expect(officer_a.locator("h1 .state")).to_have_text("Completed")
        officer_a.screenshot(path=artifacts / "walk-request.png", full_page=True)
        officer_a.goto(f"{base}/batches/{DeletionBatch.objects.get().pk}/")
        expect(officer_a.locator("h1")).to_contain_text("Complete")
        officer_a.screenshot(path=artifacts / "walk-batch.png", full_page=True)

        auditor = as_user("auditor")
        auditor.goto(f"{base}/reports/audit/")
        auditor.screenshot(path=artifacts / "walk-audit-log.png", full_page=True)
        auditor.goto(f"{base}/requests/{imported}/")
        with auditor.expect_download() as certificate:
            auditor.get_by_role("link", name="PDF").click()
        pdf = tmp_path / "certificate.pdf"
        certificate.value.save_as(pdf)
        pdf_screenshot(pdf, artifacts / "walk-certificate.png")
        auditor.goto(f"{base}/reports/")
        auditor.get_by_role("button", name="Build auditor pack (ZIP)").click()
        expect(auditor.get_by_role("heading", name="Auditor pack ready")).to_be_visible(
            timeout=120_000
        )
        with auditor.expect_download() as pack:
            auditor.get_by_role("link", name="Download the pack").click()

    assert pdf.read_bytes().startswith(b"%PDF")
    archive = zipfile.ZipFile(io.BytesIO(pack.value.path().read_bytes()))
    events = [json.loads(line) for line in archive.read("audit.jsonl").splitlines()]
    assert verify_chain(iter(events)) is None
    references = {event["request_ref"] for event in events}
    assert {public, imported} <= references


def totp_code(key: str, drift: int = 0) -> str:
    """What an authenticator app shows for the key a setup page gave (drift=1: the next code)."""
    key = key.replace(" ", "")
    return f"{totp(b32decode(key + '=' * (-len(key) % 8)), drift=drift):06d}"


def sets_up_an_authenticator(page: Page) -> str:
    """The first sign-in with MFA required: the key (read here, scanned by a person) and its
    first code; the console opens. Answers the key."""
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator("img.qr")).to_be_visible()
    key = page.locator("code[data-secret]").inner_text()
    page.get_by_label("Code from your authenticator app").fill(totp_code(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    return key


def test_an_administrator_invites_an_officer_who_signs_in_with_a_totp_code(
    browser: Browser,
    live_server: LiveServer,
    demo: dict[str, str],
    settings: Settings,
    artifacts: Path,
) -> None:
    settings.MFA_REQUIRED = True
    base = live_server.url
    admin = browser.new_context(viewport=VIEWPORT).new_page()
    log_in(admin, base, "admin", demo["admin"])
    sets_up_an_authenticator(admin)

    admin.get_by_role("link", name="Users").click()
    admin.get_by_role("link", name="Invite a user").click()
    admin.get_by_label("Username").fill("nina")
    admin.get_by_label("Email").fill("nina@example.org")
    admin.get_by_label("Privacy officer").check()
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.get_by_role("status")).to_contain_text("nina is invited")
    admin.screenshot(path=artifacts / "walk-users.png", full_page=True)

    (invitation,) = [m for m in mail.outbox if "nina@example.org" in m.to]
    (link,) = re.findall(rf"{re.escape(base)}/accounts/password/\S+", invitation.body)
    nina = browser.new_context(viewport=VIEWPORT).new_page()
    nina.goto(link)
    nina.get_by_label("New password").fill("a passphrase nina chose")
    nina.get_by_label("The same password again").fill("a passphrase nina chose")
    nina.get_by_role("button", name="Set password").click()
    expect(nina.get_by_role("status")).to_contain_text("Your password is set")
    log_in(nina, base, "nina", "a passphrase nina chose")
    key = sets_up_an_authenticator(nina)

    nina.get_by_role("button", name="Log out").click()
    log_in(nina, base, "nina", "a passphrase nina chose")
    expect(nina.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    nina.get_by_label("Code from your authenticator app").fill(totp_code(key, drift=1))
    nina.get_by_role("button", name="Sign in").click()
    expect(nina.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(nina.locator(".who")).to_contain_text("Privacy officer")
