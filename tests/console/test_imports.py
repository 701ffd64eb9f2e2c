"""The CSV import in the console: upload, preview, confirm or discard, then its progress."""

import csv
import io
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from heapprivacy.accounts.roles import Role
from heapprivacy.accounts.services import user_create
from heapprivacy.audit.models import AuditEvent
from heapprivacy.console import forms_imports
from heapprivacy.erasure.models import ErasureRequest, HeapAccount, Subject
from heapprivacy.intake import imports as intake_imports
from heapprivacy.intake import uploads as intake_uploads
from heapprivacy.intake.imports import progress_key
from heapprivacy.intake.models import ImportJob
from tests.erasure.factories import make_account, make_request
from tests.support.cast import PASSWORD, logged_in
from tests.support.processes import tasks_in_process

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parents[1] / "erasure" / "fixtures"
GOOD = b"identity,external_ref\nalice@example.com,T-1\nbob@example.com,T-1\ncarol@example.com,\n"
READ_ONLY_ROLES = ["auditor", "approver", "administrator"]


@pytest.fixture(autouse=True)
def uploads(settings: object, tmp_path: Path) -> Path:
    """Each test's uploads in its own VAR_DIR, to see exactly which files exist."""
    settings.VAR_DIR = tmp_path
    return tmp_path / "uploads"


def csv_file(content: bytes = GOOD, name: str = "requests.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def upload(client: Client, account: HeapAccount, content: bytes = GOOD, **data: object):
    return client.post("/imports/", {"file": csv_file(content), "account": account.pk, **data})


def token_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"].strip("/").split("/")[-1]


def files_in(directory: Path) -> list[str]:
    return sorted(path.suffix for path in directory.iterdir()) if directory.exists() else []


@pytest.fixture
def imports(uploads: Path) -> Path:
    """Where confirmed uploads wait for, and during, their import."""
    return uploads.parent / "imports"


@pytest.fixture
def nudges(django_capture_on_commit_callbacks):
    """Run a block as a committed request would, without a worker: what is sent on commit is
    captured, not run."""
    return lambda: django_capture_on_commit_callbacks(execute=False)


def confirmed(
    client: Client, account: HeapAccount, content: bytes = GOOD, *, token: str = ""
) -> str:
    """Upload (unless given a token), confirm, and let the worker's task run in process."""
    token = token or token_of(upload(client, account, content))
    with tasks_in_process(), TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(f"/imports/{token}/confirm").status_code == 302
    return token


def running_job(user: User, account: HeapAccount, rows: int) -> ImportJob:
    return ImportJob.objects.create(
        token="R" * 32,
        created_by=user,
        account=account,
        name="big.csv",
        size=rows * 20,
        rows=rows,
        state=ImportJob.State.RUNNING,
        attempts=1,
    )


# --- Upload page -----------------------------------------------------------------------------


def test_an_officer_gets_the_upload_form_without_approval(officer_client: Client) -> None:
    """The importing officer creates the requests: another officer approves them (four eyes)."""
    response = officer_client.get("/imports/")

    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert b'name="approve"' not in response.content


def test_only_active_accounts_are_offered(officer_client: Client, account: HeapAccount) -> None:
    inactive = make_account("dormant")
    HeapAccount.objects.filter(pk=inactive.pk).update(is_active=False)

    response = officer_client.get("/imports/")

    assert response.context["form"].fields["account"].queryset.get() == account


def test_the_only_active_account_is_chosen_already(
    officer_client: Client, account: HeapAccount
) -> None:
    assert officer_client.get("/imports/").context["form"]["account"].initial == account.pk

    make_account("beta")

    assert officer_client.get("/imports/").context["form"]["account"].initial is None


# --- Upload and preview -----------------------------------------------------------------------


def test_an_upload_is_stored_owner_only_and_previewed_without_importing(
    officer_client: Client, account: HeapAccount, uploads: Path
) -> None:
    token = token_of(upload(officer_client, account))

    assert files_in(uploads) == [".csv", ".json"]
    assert stat.S_IMODE(uploads.stat().st_mode) == 0o700
    assert stat.S_IMODE((uploads / f"{token}.csv").stat().st_mode) == 0o600
    assert stat.S_IMODE((uploads / f"{token}.json").stat().st_mode) == 0o600
    assert (uploads / f"{token}.csv").read_bytes() == GOOD
    assert not ErasureRequest.objects.exists()
    assert not Subject.objects.exists()


def test_the_preview_shows_counts_refused_rows_duplicates_and_warnings_by_line(
    officer_client: Client, account: HeapAccount
) -> None:
    earlier = make_request(account, ["carol@example.com"])
    token = token_of(upload(officer_client, account, (FIXTURES / "duplicates.csv").read_bytes()))

    response = officer_client.get(f"/imports/{token}/")

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.subjects, report.requests, report.refused, report.duplicates) == (5, 5, 3, 3)
    assert report.in_open_requests == 1
    page = response.content.decode()
    assert "<td>4</td><td>duplicate of line 2: the same identity is already in this file</td>" in (
        page
    )
    assert f"<td>8</td><td>identity is already in open request {earlier.reference}</td>" in page
    assert f'action="/imports/{token}/confirm"' in page
    assert ErasureRequest.objects.count() == 1


def test_the_preview_names_invisible_characters_without_showing_the_identity(
    officer_client: Client, account: HeapAccount
) -> None:
    content = (FIXTURES / "whitespace_and_invisible.csv").read_bytes()
    token = token_of(upload(officer_client, account, content))

    page = officer_client.get(f"/imports/{token}/").content.decode()

    assert "<td>4</td><td>identity: invisible U+200B ZERO WIDTH SPACE</td>" in page
    assert "non-ASCII letter U+0430 CYRILLIC SMALL LETTER A" in page
    assert "leading@example.com" not in page


def test_a_preview_with_nothing_to_import_offers_no_confirmation(
    officer_client: Client, account: HeapAccount
) -> None:
    token = token_of(upload(officer_client, account, b"identity,email\na,bad\n"))

    page = officer_client.get(f"/imports/{token}/").content.decode()

    assert "No row of this file can be imported." in page
    assert "/confirm" not in page


def test_the_preview_is_audited_with_counts_and_never_values(
    officer_client: Client, officer: User, account: HeapAccount
) -> None:
    content = (FIXTURES / "duplicates.csv").read_bytes()
    token = token_of(upload(officer_client, account, content))

    event = AuditEvent.objects.get(action="import.previewed")
    assert event.actor_id == str(officer.pk)
    assert (event.target_type, event.target_id) == ("erasure.heapaccount", str(account.pk))
    assert event.details == {
        "upload": token,
        "file_refused": False,
        "bytes": len(content),
        "rows": 8,
        "requests": 5,
        "subjects": 5,
        "refused": 3,
        "duplicates": 3,
        "in_open_requests": 0,
        "warnings": 0,
    }


# --- Confirm, then the import in the background ----------------------------------------------


def test_confirm_queues_the_import_and_sends_the_officer_to_its_progress_page(
    officer_client: Client, account: HeapAccount, uploads: Path, imports: Path, nudges
) -> None:
    token = token_of(upload(officer_client, account))

    with nudges() as sent:
        response = officer_client.post(f"/imports/{token}/confirm")

    assert response.status_code == 302
    assert response["Location"] == f"/imports/{token}/progress"
    job = ImportJob.objects.get()
    assert (job.token, job.state, job.rows, job.attempts) == (token, "queued", 3, 0)
    assert len(sent) == 1  # the worker's nudge, sent once the job is committed
    assert files_in(uploads) == []
    assert (imports / f"{token}.csv").read_bytes() == GOOD
    assert stat.S_IMODE(imports.stat().st_mode) == 0o700
    assert not ErasureRequest.objects.exists()


def test_a_queued_import_shows_an_empty_bar_that_refreshes_itself(
    officer_client: Client, account: HeapAccount, nudges
) -> None:
    token = token_of(upload(officer_client, account))
    with nudges():
        officer_client.post(f"/imports/{token}/confirm")

    response = officer_client.get(f"/imports/{token}/progress")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Import queued</h1>" in page
    assert '<progress max="3" value="0"' in page
    assert f'data-url="/imports/{token}/progress.json"' in page
    assert '<script src="/static/js/import_progress.js" defer></script>' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert f'<a href="/imports/{token}/progress">Reload</a>' in page


def test_a_running_import_shows_the_counts_the_worker_last_wrote(
    officer_client: Client, officer: User, account: HeapAccount
) -> None:
    job = running_job(officer, account, rows=3000)
    cache.set(progress_key(job.token, 1), {"read": 1500, "imported": 1490, "refused": 10})

    page = officer_client.get(f"/imports/{job.token}/progress").content.decode()
    progress = officer_client.get(f"/imports/{job.token}/progress.json").json()

    assert "<h1>Importing</h1>" in page
    assert '<progress max="3000" value="1500"' in page
    assert '<span data-count="imported">1490</span>' in page
    assert progress == {
        "state": "running",
        "rows": 3000,
        "read": 1500,
        "imported": 1490,
        "refused": 10,
        "status": "Importing. The requests appear together once the whole file is in.",
    }


def test_the_worker_imports_it_and_the_page_shows_the_report_and_the_file_is_deleted(
    officer_client: Client, officer: User, account: HeapAccount, uploads: Path, imports: Path
) -> None:
    token = confirmed(officer_client, account)

    response = officer_client.get(f"/imports/{token}/progress")

    page = response.content.decode()
    assert "<h1>Import done</h1>" in page
    assert '<progress max="3" value="3"' in page
    assert "import_progress.js" not in page
    assert "http-equiv" not in page
    references = list(ErasureRequest.objects.order_by("pk").values_list("reference", flat=True))
    assert len(references) == 2
    for reference in references:
        assert f'href="/requests/{reference}/"' in page
    assert sorted(Subject.objects.values_list("value", flat=True)) == [
        "alice@example.com",
        "bob@example.com",
        "carol@example.com",
    ]
    assert set(ErasureRequest.objects.values_list("source", "state", "created_by")) == {
        (ErasureRequest.Source.CSV, ErasureRequest.State.RECEIVED, officer.pk)
    }
    assert files_in(uploads) == files_in(imports) == []


def test_the_progress_endpoint_gives_the_final_counts_once_done(
    officer_client: Client, account: HeapAccount
) -> None:
    token = confirmed(officer_client, account, GOOD + b",T-2\n")

    progress = officer_client.get(f"/imports/{token}/progress.json").json()

    assert progress == {
        "state": "done",
        "rows": 4,
        "read": 4,
        "imported": 3,
        "refused": 1,
        "status": "Imported. The uploaded file is deleted.",
    }


def test_the_import_is_audited_with_counts(officer_client: Client, account: HeapAccount) -> None:
    token = confirmed(officer_client, account, GOOD + b",T-2\n")

    event = AuditEvent.objects.get(action="import.confirmed")
    assert event.details == {
        "upload": token,
        "rows": 4,
        "requests": 2,
        "subjects": 3,
        "refused": 1,
        "duplicates": 0,
        "in_open_requests": 0,
        "warnings": 0,
    }


def test_a_thousand_rows_with_three_bad_ones_import_997_through_the_upload(
    officer_client: Client, account: HeapAccount
) -> None:
    rows = [[f"user-{n}@example.com", f"REF-{n // 100}"] for n in range(1000)]
    rows[99] = ["x" * 256, "REF-0"]  # line 101
    rows[499] = ["user-499@example.com", "REF-4", "extra"]  # line 501
    rows[998] = ["", "REF-9"]  # line 1000
    text = io.StringIO()
    csv.writer(text).writerows([["identity", "external_ref"], *rows])
    token = token_of(upload(officer_client, account, text.getvalue().encode()))

    preview = officer_client.get(f"/imports/{token}/").context["report"]
    confirmed(officer_client, account, token=token)
    result = officer_client.get(f"/imports/{token}/progress").context["report"]

    for report in (preview, result):
        assert (report.subjects, report.refused) == (997, 3)
        assert [error.line for error in report.errors] == [101, 501, 1000]
    assert Subject.objects.count() == 997


def test_imported_requests_wait_for_a_decision_even_if_approval_is_posted(
    officer_client: Client, account: HeapAccount
) -> None:
    token = token_of(upload(officer_client, account, approve="on"))

    confirmed(officer_client, account, token=token)

    assert set(ErasureRequest.objects.values_list("state", flat=True)) == {"received"}
    assert set(Subject.objects.values_list("state", flat=True)) == {Subject.State.PENDING}


def test_a_second_confirmation_is_404_and_imports_nothing_more(
    officer_client: Client, account: HeapAccount
) -> None:
    token = confirmed(officer_client, account)

    response = officer_client.post(f"/imports/{token}/confirm")

    assert response.status_code == 404
    assert Subject.objects.count() == 3
    assert ImportJob.objects.count() == 1


def test_a_failed_import_says_so_and_its_file_is_deleted_all_the_same(
    officer_client: Client,
    account: HeapAccount,
    uploads: Path,
    imports: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(intake_imports, "requests_import", fail)
    with pytest.raises(RuntimeError):  # raised in the worker, which logs it
        confirmed(officer_client, account)

    job = ImportJob.objects.get()
    page = officer_client.get(f"/imports/{job.token}/progress").content.decode()
    assert "<h1>Import failed</h1>" in page
    assert "The import stopped (RuntimeError). Nothing was imported." in page
    assert files_in(uploads) == files_in(imports) == []
    assert not AuditEvent.objects.filter(action="import.confirmed").exists()
    assert not ErasureRequest.objects.exists()


def test_a_day_after_the_import_the_page_keeps_only_the_counts(
    officer_client: Client, account: HeapAccount
) -> None:
    token = confirmed(officer_client, account)
    ImportJob.objects.update(report=None)  # what the sweep does a day later

    page = officer_client.get(f"/imports/{token}/progress").content.decode()

    assert "2 requests with 3 subjects imported" in page
    assert "for this import it has been removed" in page
    assert "/requests/DSR-" not in page


# --- Discard and expiry -----------------------------------------------------------------------


def test_discard_deletes_the_file_imports_nothing_and_is_audited(
    officer_client: Client, account: HeapAccount, uploads: Path
) -> None:
    token = token_of(upload(officer_client, account))

    response = officer_client.post(f"/imports/{token}/discard")

    assert response.status_code == 302
    assert files_in(uploads) == []
    assert not ErasureRequest.objects.exists()
    assert AuditEvent.objects.get(action="import.discarded").details == {"upload": token}
    assert officer_client.get(f"/imports/{token}/").status_code == 404


def test_an_upload_older_than_a_day_is_gone(
    officer_client: Client, account: HeapAccount, uploads: Path
) -> None:
    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        token = token_of(upload(officer_client, account))
    with time_machine.travel("2026-03-02 09:01Z", tick=False):
        assert officer_client.get(f"/imports/{token}/").status_code == 404
        assert officer_client.post(f"/imports/{token}/confirm").status_code == 404

    assert files_in(uploads) == []
    assert not ErasureRequest.objects.exists()


def test_uploads_left_waiting_are_swept_at_the_next_upload(
    officer_client: Client, account: HeapAccount, uploads: Path
) -> None:
    stale = token_of(upload(officer_client, account))
    for path in uploads.iterdir():
        old = path.stat().st_mtime - 25 * 3600
        os.utime(path, (old, old))

    fresh = token_of(upload(officer_client, account))

    assert sorted(path.stem for path in uploads.iterdir()) == [fresh, fresh]
    assert stale != fresh


# --- Whose upload -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/imports/{}/"), ("post", "/imports/{}/confirm"), ("post", "/imports/{}/discard")],
)
def test_another_officers_upload_is_404(
    officer_client: Client, account: HeapAccount, uploads: Path, method: str, path: str
) -> None:
    token = token_of(upload(officer_client, account))
    other = logged_in(user_create("oscar", PASSWORD, [Role.OFFICER]))

    response = getattr(other, method)(path.format(token))

    assert response.status_code == 404
    assert files_in(uploads) == [".csv", ".json"]
    assert not ErasureRequest.objects.exists()


@pytest.mark.parametrize("path", ["/imports/{}/progress", "/imports/{}/progress.json"])
def test_another_officers_import_is_404(
    officer_client: Client, account: HeapAccount, path: str
) -> None:
    token = confirmed(officer_client, account)
    other = logged_in(user_create("oscar", PASSWORD, [Role.OFFICER]))

    assert other.get(path.format(token)).status_code == 404
    assert officer_client.get(path.format(token)).status_code == 200


@pytest.mark.parametrize("path", ["/imports/{}/progress", "/imports/{}/progress.json"])
def test_the_progress_of_an_upload_not_yet_confirmed_is_404(
    officer_client: Client, account: HeapAccount, path: str
) -> None:
    token = token_of(upload(officer_client, account))

    assert officer_client.get(path.format(token)).status_code == 404


@pytest.mark.parametrize("token", ["A" * 32, "nope", "..%2F..%2Fsecret" + "A" * 16])
def test_an_unknown_or_malformed_token_is_404(officer_client: Client, token: str) -> None:
    assert officer_client.get(f"/imports/{token}/").status_code == 404
    assert officer_client.post(f"/imports/{token}/confirm").status_code == 404


# --- Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/imports/"),
        ("post", "/imports/"),
        ("get", "/imports/{}/"),
        ("post", "/imports/{}/confirm"),
        ("post", "/imports/{}/discard"),
    ],
)
def test_roles_that_may_not_create_requests_get_403_and_the_refusal_is_audited(
    client_as: Callable[[str], Client],
    officer_client: Client,
    account: HeapAccount,
    uploads: Path,
    role: str,
    method: str,
    path: str,
) -> None:
    token = token_of(upload(officer_client, account))
    url = path.format(token)
    data = {"file": csv_file(), "account": account.pk} if method == "post" else {}

    response = getattr(client_as(role), method)(url, data)

    assert response.status_code == 403
    assert AuditEvent.objects.get(action="access.denied").details["path"] == url
    assert not ErasureRequest.objects.exists()
    assert files_in(uploads) == [".csv", ".json"]


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
@pytest.mark.parametrize("path", ["/imports/{}/progress", "/imports/{}/progress.json"])
def test_roles_that_may_not_create_requests_get_403_for_an_import_s_progress(
    client_as: Callable[[str], Client],
    officer_client: Client,
    account: HeapAccount,
    role: str,
    path: str,
) -> None:
    url = path.format(confirmed(officer_client, account))

    response = client_as(role).get(url)

    assert response.status_code == 403
    assert AuditEvent.objects.get(action="access.denied").details["path"] == url


@pytest.mark.parametrize("path", ["/imports/{}/progress", "/imports/{}/progress.json"])
def test_anonymous_visitors_asking_for_progress_are_sent_to_log_in(
    client: Client, officer_client: Client, account: HeapAccount, path: str
) -> None:
    response = client.get(path.format(confirmed(officer_client, account)))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_visitors_are_sent_to_log_in(client: Client, account: HeapAccount) -> None:
    response = client.post("/imports/", {"file": csv_file(), "account": account.pk})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/imports/"),
        ("post", "/imports/{}/"),
        ("get", "/imports/{}/confirm"),
        ("get", "/imports/{}/discard"),
        ("post", "/imports/{}/progress"),
        ("post", "/imports/{}/progress.json"),
    ],
)
def test_wrong_methods_are_refused(
    officer_client: Client, account: HeapAccount, method: str, path: str
) -> None:
    token = token_of(upload(officer_client, account))

    response = getattr(officer_client, method)(path.format(token))

    assert response.status_code == 405
    assert not ErasureRequest.objects.exists()


def test_posts_without_a_csrf_token_are_refused(
    officer: User, officer_client: Client, account: HeapAccount, uploads: Path
) -> None:
    token = token_of(upload(officer_client, account))
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)

    assert client.post("/imports/", {"file": csv_file(), "account": account.pk}).status_code == 403
    assert client.post(f"/imports/{token}/confirm").status_code == 403
    assert client.post(f"/imports/{token}/discard").status_code == 403
    assert not ErasureRequest.objects.exists()
    assert files_in(uploads) == [".csv", ".json"]


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "This field is required."),
        ({"file": SimpleUploadedFile("empty.csv", b"")}, "The submitted file is empty."),
        (
            {"file": SimpleUploadedFile("book.xlsx", b"PK\x03\x04rest of a zip")},
            "This is a spreadsheet workbook (or a zip file): save it as CSV UTF-8 first.",
        ),
    ],
    ids=["no-file", "empty-file", "workbook"],
)
def test_a_missing_or_unusable_file_is_refused_with_the_form(
    officer_client: Client, account: HeapAccount, uploads: Path, data: dict, message: str
) -> None:
    response = officer_client.post("/imports/", {"account": account.pk, **data})

    assert response.status_code == 400
    assert message in response.context["form"].errors["file"][0]
    assert files_in(uploads) == []


@pytest.mark.parametrize("account_value", ["", "999999", "acme"])
def test_a_missing_or_unknown_account_is_refused(
    officer_client: Client, account: HeapAccount, uploads: Path, account_value: str
) -> None:
    response = officer_client.post("/imports/", {"file": csv_file(), "account": account_value})

    assert response.status_code == 400
    assert "account" in response.context["form"].errors
    assert files_in(uploads) == []


def test_an_inactive_account_is_refused(
    officer_client: Client, account: HeapAccount, uploads: Path
) -> None:
    HeapAccount.objects.filter(pk=account.pk).update(is_active=False)

    assert upload(officer_client, account).status_code == 400
    assert files_in(uploads) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8", "line 1: not valid UTF-8"),
        ((FIXTURES / "invalid_utf8.csv").read_bytes(), "line 3: not valid UTF-8 (byte 0xFC)"),
        (b"name,phone\nAda,555\n", "line 1: the header needs an identity or a user_id column"),
    ],
    ids=["binary-junk", "latin-1", "no-subject-column"],
)
def test_a_file_that_cannot_be_read_is_refused_whole_kept_nowhere_and_audited(
    officer_client: Client, account: HeapAccount, uploads: Path, content: bytes, message: str
) -> None:
    response = upload(officer_client, account, content)

    assert response.status_code == 400
    assert message in response.context["form"].errors["file"][0]
    assert files_in(uploads) == []
    event = AuditEvent.objects.get(action="import.previewed")
    assert event.details["file_refused"] is True
    assert set(event.details) == {"upload", "file_refused"}


def test_a_file_over_the_size_limit_is_refused(
    officer_client: Client,
    account: HeapAccount,
    uploads: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forms_imports, "MAX_UPLOAD_BYTES", len(GOOD) - 1)

    response = upload(officer_client, account)

    assert response.status_code == 400
    assert "over" in response.context["form"].errors["file"][0]
    assert files_in(uploads) == []


def test_the_copy_stops_at_the_size_limit_whatever_the_form_said(
    officer_client: Client,
    account: HeapAccount,
    uploads: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(intake_uploads, "MAX_UPLOAD_BYTES", len(GOOD) - 1)

    response = upload(officer_client, account)

    assert response.status_code == 400
    assert files_in(uploads) == []
