"""The auditor pack built by a worker: asked for, watched on a progress bar, downloaded; a lost
nudge is sent again and a day later the pack is gone."""

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from heapprivacy.audit.chain import verify_chain
from heapprivacy.audit.models import AuditEvent
from heapprivacy.reports import pack
from heapprivacy.reports.pack_jobs import (
    PACK_TTL,
    STALLED,
    pack_job_build,
    pack_jobs_sweep,
    packs_dir,
)
from tests.reports.conftest import MAY_NOT_EXPORT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings: object, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def asked(client: Client, captured) -> str:
    with captured(execute=False) as callbacks:
        response = client.post("/reports/packs/")
    assert response.status_code == 302
    assert len(callbacks) == 1  # the build's nudge, sent on commit
    return response["Location"].strip("/").split("/")[-1]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_asking_records_the_export_and_shows_a_bar_that_refreshes_itself(
    auditor_client: Client, django_capture_on_commit_callbacks
) -> None:
    token = asked(auditor_client, django_capture_on_commit_callbacks)

    page = auditor_client.get(f"/reports/packs/{token}/").content.decode()
    progress = auditor_client.get(f"/reports/packs/{token}/progress.json").json()

    assert "Building the auditor pack" in page
    assert "js/import_progress.js" in page
    assert progress["state"] == "queued"
    assert progress["rows"] == AuditEvent.objects.get(action="export.pack").seq  # its own too
    assert auditor_client.get(f"/reports/packs/{token}/pack.zip").status_code == 404


def test_the_bar_shows_the_events_the_build_last_wrote(
    auditor_client: Client, django_capture_on_commit_callbacks
) -> None:
    token = asked(auditor_client, django_capture_on_commit_callbacks)
    cache.set(f"reports:pack-progress:{token}", {"written": 1, "at": time.time()})

    assert auditor_client.get(f"/reports/packs/{token}/progress.json").json()["read"] == 1


def test_once_built_the_pack_downloads_and_its_chain_verifies(
    auditor_client: Client, django_capture_on_commit_callbacks
) -> None:
    token = asked(auditor_client, django_capture_on_commit_callbacks)

    pack_job_build(token)

    page = auditor_client.get(f"/reports/packs/{token}/").content.decode()
    assert "Auditor pack ready" in page
    response = auditor_client.get(f"/reports/packs/{token}/pack.zip")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    lines = archive.read("audit.jsonl").splitlines()
    assert verify_chain(iter(json.loads(line) for line in lines)) is None
    assert archive.namelist()[-1] == "MANIFEST"


def test_progress_is_reported_as_the_chain_is_packed(
    auditor_client: Client, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    token = asked(auditor_client, django_capture_on_commit_callbacks)
    monkeypatch.setattr(pack, "PROGRESS_EVERY", 1)
    seen: list[int] = []
    monkeypatch.setattr(
        "heapprivacy.reports.pack_jobs._progress", lambda token, written: seen.append(written)
    )

    pack_job_build(token)

    assert seen == list(range(AuditEvent.objects.count() + 1))  # 0 first, then each event


def test_a_failed_build_says_so_and_leaves_no_partial_file(
    auditor_client: Client, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    token = asked(auditor_client, django_capture_on_commit_callbacks)

    def broken(target, progress=None):
        target.write(b"half a pack")
        raise OSError("disk full")

    monkeypatch.setattr("heapprivacy.reports.pack_jobs.pack_write", broken)
    pack_job_build(token)

    assert "Auditor pack failed" in auditor_client.get(f"/reports/packs/{token}/").content.decode()
    assert sorted(path.name for path in packs_dir().iterdir()) == [f"{token}.json"]


def test_another_users_pack_is_404(
    auditor_client: Client, client_as, django_capture_on_commit_callbacks
) -> None:
    token = asked(auditor_client, django_capture_on_commit_callbacks)

    assert client_as("officer").get(f"/reports/packs/{token}/").status_code == 404


@pytest.mark.parametrize("role", MAY_NOT_EXPORT)
def test_roles_that_may_not_export_may_not_ask(client_as, role: str) -> None:
    assert client_as(role).post("/reports/packs/").status_code == 403


def test_the_sweep_sends_again_only_builds_that_show_no_progress_and_drops_old_packs(
    auditor_client: Client, django_capture_on_commit_callbacks
) -> None:
    lost, running, built = (
        asked(auditor_client, django_capture_on_commit_callbacks) for _ in "abc"
    )
    pack_job_build(built)
    later = time.time() + STALLED + 1
    cache.set(f"reports:pack-progress:{running}", {"written": 5, "at": later})

    assert pack_jobs_sweep(run=lambda token: None, now=later) == [lost]

    pack_jobs_sweep(run=lambda token: None, now=later + PACK_TTL.total_seconds())
    assert list(packs_dir().iterdir()) == []
