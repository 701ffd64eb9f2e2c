"""A large upload is checked by a worker: its preview page shows the check's progress, then the
preview; a refused file says why; a lost nudge is sent again."""

import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import ErasureRequest, HeapAccount
from heapprivacy.intake.upload_checks import STALLED, upload_check, uploads_unchecked_nudge
from heapprivacy.intake.uploads import upload_load

pytestmark = pytest.mark.django_db

ROWS = 1000
LARGE = b"identity,external_ref\n" + b"".join(
    f"user-{n}@example.com,BIG-{n % 10}\n".encode() for n in range(ROWS)
)


@pytest.fixture(autouse=True)
def large_files_go_to_a_worker(settings: object, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    settings.PREVIEW_INLINE_BYTES = 100


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """What the upload request sends on commit, captured, not run."""
    return lambda: django_capture_on_commit_callbacks(execute=False)


def uploaded(client: Client, account: HeapAccount, content: bytes = LARGE) -> str:
    file = SimpleUploadedFile("big.csv", content, content_type="text/csv")
    response = client.post("/imports/", {"file": file, "account": account.pk})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"].strip("/").split("/")[-1]


def test_a_large_upload_is_stored_unchecked_and_a_check_is_sent(
    officer_client: Client, account: HeapAccount, sent
) -> None:
    with sent() as callbacks:
        token = uploaded(officer_client, account)

    assert len(callbacks) == 1
    assert upload_load(token).preview is None
    assert not AuditEvent.objects.filter(action="import.previewed").exists()


def test_while_it_is_checked_the_page_shows_a_bar_that_refreshes_itself(
    officer_client: Client, account: HeapAccount
) -> None:
    token = uploaded(officer_client, account)

    page = officer_client.get(f"/imports/{token}/").content.decode()
    progress = officer_client.get(f"/imports/{token}/preview.json").json()

    assert "Checking the file" in page
    assert "js/import_progress.js" in page
    assert "Confirm import" not in page
    assert progress["state"] == "checking"


def test_the_bar_shows_the_counts_the_check_last_wrote(
    officer_client: Client, account: HeapAccount
) -> None:
    token = uploaded(officer_client, account)
    cache.set(f"intake:upload-check:{token}", {"read": 400, "refused": 3, "rows": 1000, "at": 0})

    progress = officer_client.get(f"/imports/{token}/preview.json").json()

    assert progress | {"status": ""} == {
        "state": "checking", "read": 400, "refused": 3, "rows": 1000, "status": ""
    }  # fmt: skip


def test_once_checked_the_page_is_the_preview_and_the_import_can_be_confirmed(
    officer_client: Client, officer: User, account: HeapAccount
) -> None:
    token = uploaded(officer_client, account)

    upload_check(token)

    page = officer_client.get(f"/imports/{token}/").content.decode()
    progress = officer_client.get(f"/imports/{token}/preview.json").json()
    assert "Import preview" in page
    assert "Confirm import" in page
    assert (progress["state"], progress["read"], progress["rows"]) == ("done", ROWS, ROWS)
    event = AuditEvent.objects.get(action="import.previewed")
    assert (event.actor_id, event.details["subjects"], event.details["requests"]) == (
        str(officer.pk), ROWS, 10
    )  # fmt: skip


def test_confirming_before_the_check_is_done_goes_back_to_the_check(
    officer_client: Client, account: HeapAccount
) -> None:
    token = uploaded(officer_client, account)

    response = officer_client.post(f"/imports/{token}/confirm")

    assert response.status_code == 302
    assert response["Location"] == f"/imports/{token}/"
    assert not ErasureRequest.objects.exists()


def test_a_file_the_check_refuses_says_why_and_offers_no_import(
    officer_client: Client, account: HeapAccount
) -> None:
    token = uploaded(officer_client, account, b"email\n" + b"a@example.com\n" * 200)

    upload_check(token)

    page = officer_client.get(f"/imports/{token}/").content.decode()
    assert "File refused" in page
    assert "identity or a user_id column" in page
    assert "Confirm import" not in page
    assert officer_client.get(f"/imports/{token}/preview.json").json()["state"] == "failed"
    assert AuditEvent.objects.get(action="import.previewed").details["file_refused"] is True


def test_a_discarded_upload_is_not_brought_back_by_its_check(
    officer_client: Client, account: HeapAccount, tmp_path: Path
) -> None:
    token = uploaded(officer_client, account)
    officer_client.post(f"/imports/{token}/discard")

    upload_check(token)

    assert list((tmp_path / "uploads").iterdir()) == []


def test_the_sweep_sends_again_only_the_checks_that_show_no_progress(
    officer_client: Client, account: HeapAccount
) -> None:
    lost, running, checked = (uploaded(officer_client, account) for _ in range(3))
    upload_check(checked)
    later = time.time() + STALLED + 1
    cache.set(f"intake:upload-check:{running}", {"read": 1, "refused": 0, "rows": 9, "at": later})

    assert uploads_unchecked_nudge(run=lambda token: None, now=later) == [lost]
