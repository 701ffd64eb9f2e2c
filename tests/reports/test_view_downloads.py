"""The downloads: register, audit trail, metrics and pack. Each is an audited export."""

import csv
import io
import json
import zipfile

import pytest
from django.http import FileResponse, StreamingHttpResponse

from heapprivacy.audit.chain import verify_chain
from heapprivacy.audit.models import AuditEvent
from tests.reports.conftest import MAY_EXPORT, MAY_NOT_EXPORT

pytestmark = pytest.mark.django_db

DOWNLOADS = {
    "/reports/register.csv": "export.register",
    "/reports/audit.csv": "export.audit",
    "/reports/audit.jsonl": "export.audit",
    "/reports/metrics.csv": "export.metrics",
    "/reports/pack.zip": "export.pack",
}


def body(response: object) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("role", MAY_EXPORT)
@pytest.mark.parametrize("url", list(DOWNLOADS))
def test_officers_and_auditors_download_and_each_download_is_audited(
    client_as, user_as, role: str, url: str
) -> None:
    response = client_as(role).get(url)
    body(response)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="heapprivacy-')
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action=DOWNLOADS[url])
    assert (event.actor_kind, event.actor_label) == ("user", user_as(role).username)


@pytest.mark.parametrize("role", MAY_NOT_EXPORT)
@pytest.mark.parametrize("url", list(DOWNLOADS))
def test_approvers_and_administrators_are_refused_and_the_refusal_audited(
    client_as, role: str, url: str
) -> None:
    response = client_as(role).get(url)

    assert response.status_code == 403
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.details["reason"] == "reports.export_reports"
    assert not AuditEvent.objects.filter(action__startswith="export.").exists()


@pytest.mark.parametrize("url", list(DOWNLOADS))
def test_anonymous_visitors_are_sent_to_log_in(client, url: str) -> None:
    assert client.get(url)["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", list(DOWNLOADS))
def test_downloads_refuse_post(auditor_client, url: str) -> None:
    assert auditor_client.post(url).status_code == 405


@pytest.mark.parametrize(
    "query",
    ["since=yesterday", "since=2026-02-01&until=2026-01-01", "action=Not%20An%20Action"],
)
def test_bad_filters_are_a_400_and_export_nothing(auditor_client, query: str) -> None:
    url = "/reports/audit.csv" if "action" in query else "/reports/register.csv"

    response = auditor_client.get(f"{url}?{query}")

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action__startswith="export.").exists()


def test_the_register_streams_as_csv(auditor_client, rejected_request) -> None:
    response = auditor_client.get("/reports/register.csv")

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(body(response).decode())))
    assert [row["reference"] for row in rows] == [rejected_request.reference]


def test_the_audit_export_carries_its_filters_into_the_trail(auditor_client) -> None:
    response = auditor_client.get(
        "/reports/audit.jsonl?request=dsr-2026-000001&action=request&since=2026-01-01"
    )
    body(response)

    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    assert AuditEvent.objects.get(action="export.audit").details == {
        "format": "jsonl",
        "since": "2026-01-01",
        "request_ref": "DSR-2026-000001",
        "action": "request",
        "whole_chain": "no",
    }


def test_the_whole_audit_jsonl_verifies_and_ends_with_its_own_export(auditor_client) -> None:
    data = body(auditor_client.get("/reports/audit.jsonl"))

    events = [json.loads(line) for line in data.split(b"\n")[:-1]]
    assert verify_chain(iter(events)) is None
    assert events[-1]["action"] == "export.audit"


def test_the_pack_is_served_from_its_temporary_file(auditor_client, rejected_request) -> None:
    response = auditor_client.get("/reports/pack.zip")

    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    assert archive.namelist()[-1] == "MANIFEST"
