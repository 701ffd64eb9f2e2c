import hashlib
import json

import pytest

from heapprivacy.audit.models import AuditEvent
from tests.erasure.factories import make_request
from tests.reports.conftest import MAY_EXPORT, MAY_NOT_EXPORT

pytestmark = pytest.mark.django_db


def url(reference: str, fmt: str = "pdf") -> str:
    return f"/reports/certificate?reference={reference}&format={fmt}"


@pytest.mark.parametrize("role", MAY_EXPORT)
def test_the_json_and_the_pdf_of_a_completed_request_agree(
    client_as, role: str, completed_request
) -> None:
    client = client_as(role)

    as_json = client.get(url(completed_request.reference, "json"))
    as_pdf = client.get(url(completed_request.reference.lower(), "pdf"))

    assert (as_json.status_code, as_pdf.status_code) == (200, 200)
    assert as_json["Content-Type"] == "application/json"
    assert as_pdf["Content-Type"] == "application/pdf"
    assert as_pdf["Content-Disposition"] == (
        f'attachment; filename="certificate-{completed_request.reference}.pdf"'
    )
    sha256 = hashlib.sha256(as_json.content).hexdigest()
    assert json.loads(as_json.content)["reference"] == completed_request.reference
    assert as_pdf.content.startswith(b"%PDF-")
    exports = AuditEvent.objects.filter(action="export.certificate").order_by("seq")
    assert [(e.details["format"], e.details["sha256"]) for e in exports] == [
        ("json", sha256),
        ("pdf", sha256),
    ]
    assert {e.request_ref for e in exports} == {completed_request.reference}


def test_a_request_not_completed_is_a_409(auditor_client, idle_account) -> None:
    request = make_request(idle_account)

    response = auditor_client.get(url(request.reference))

    assert response.status_code == 409
    assert b"is received" in response.content
    assert not AuditEvent.objects.filter(action__startswith="certificate.").exists()


def test_an_unknown_request_is_a_404(auditor_client) -> None:
    assert auditor_client.get(url("DSR-1999-000001")).status_code == 404


@pytest.mark.parametrize("query", ["reference=DSR-2026-000001&format=docx", "format=pdf"])
def test_bad_input_is_a_400(auditor_client, query: str) -> None:
    assert auditor_client.get(f"/reports/certificate?{query}").status_code == 400


@pytest.mark.parametrize("role", MAY_NOT_EXPORT)
def test_approvers_and_administrators_are_refused(client_as, role: str, idle_account) -> None:
    request = make_request(idle_account)

    assert client_as(role).get(url(request.reference)).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied").count() == 1


def test_it_refuses_post(auditor_client) -> None:
    assert auditor_client.post(url("DSR-2026-000001")).status_code == 405
