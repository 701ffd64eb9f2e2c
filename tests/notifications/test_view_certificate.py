"""/privacy/certificate/<token>: the certificate link of the completion email, without login."""

import json
import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.lifecycle.requests import request_approve, request_verify
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.notifications.tokens import certificate_token_make, status_token_make
from heapprivacy.pseudonyms import subject_pseudonym
from heapprivacy.reports.certificates import certificate_issue
from tests.erasure.factories import SYSTEM, make_completed
from tests.notifications.conftest import ALICE, committed, paths

pytestmark = pytest.mark.django_db


@pytest.fixture
def emailed_link(alices_request: ErasureRequest, mailoutbox) -> str:
    """The certificate path from the completion email of Alice's request."""
    with committed():
        make_completed(alices_request)
    return next(path for path in paths(mailoutbox[0]) if "/certificate/" in path)


def test_the_emailed_link_shows_the_certificate_without_login(
    client: Client, emailed_link: str, alices_request: ErasureRequest
) -> None:
    response = client.get(emailed_link)

    page = response.content.decode()
    certificate = certificate_issue(alices_request.reference, actor=SYSTEM)
    assert response.status_code == 200
    assert "Certificate of erasure" in page
    assert alices_request.reference in page
    assert certificate.sha256 in page
    assert ALICE not in page
    assert f'href="{emailed_link}.pdf"' in page
    assert f'href="{emailed_link}.json"' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_the_page_names_the_organisation_and_gives_dates_in_words(
    client: Client, emailed_link: str, settings
) -> None:
    settings.ORGANISATION_NAME = "Northwind Trading plc"
    settings.ORGANISATION_CONTACT = "dpo@northwind.test"

    page = client.get(emailed_link).content.decode()

    assert "Northwind Trading plc" in page
    assert "Questions about this certificate: dpo@northwind.test" in page
    assert "<dd>2 March 2026, 09:00 UTC</dd>" in page
    assert not re.findall(r"\d{4}-\d\d-\d\dT|\bNone\b", page)


def test_it_names_neither_the_approving_officer_nor_the_heap_account(
    client: Client,
    alices_request: ErasureRequest,
    officer: User,
    mailoutbox,
    tmp_path: Path,
) -> None:
    request_verify(alices_request, actor=SYSTEM, method="email_link")
    request_approve(alices_request, actor=Actor.for_user(officer))
    with committed():
        make_completed(alices_request)
    link = next(path for path in paths(mailoutbox[-1]) if "/certificate/" in path)

    (tmp_path / "cert.pdf").write_bytes(client.get(link + ".pdf").content)
    subprocess.run(["pdftotext", "cert.pdf", "cert.txt"], cwd=tmp_path, check=True)

    page, body = client.get(link).content.decode(), client.get(link + ".json").content.decode()
    for shown in (page, body, (tmp_path / "cert.txt").read_text()):
        assert officer.username not in shown
        assert alices_request.subjects.get().account.label not in shown
    assert "a privacy officer" in (tmp_path / "cert.txt").read_text()


def test_the_first_visit_issues_the_certificate_once(client: Client, emailed_link: str) -> None:
    client.get(emailed_link)
    client.get(emailed_link)

    issued = AuditEvent.objects.filter(action="certificate.issued")
    assert issued.count() == 1
    assert issued.get().actor_label == "certificate link"


def test_the_json_download_is_the_certificate_itself(
    client: Client, emailed_link: str, alices_request: ErasureRequest
) -> None:
    response = client.get(emailed_link + ".json")

    content = json.loads(response.content)
    certificate = certificate_issue(alices_request.reference, actor=SYSTEM)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert f'certificate-{alices_request.reference}.json"' in response["Content-Disposition"]
    assert response.content == certificate.body
    assert content["reference"] == alices_request.reference
    assert [subject["reference"] for subject in content["subjects"]] == [subject_pseudonym(ALICE)]


def test_the_pdf_download_is_a_pdf(client: Client, emailed_link: str) -> None:
    response = client.get(emailed_link + ".pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "DSR-2026-000999" + token[token.index(":") :],
        lambda token: "nonsense",
    ],
    ids=["signature", "reference", "garbage"],
)
@pytest.mark.parametrize("suffix", ["", ".json", ".pdf"])
def test_a_tampered_link_is_a_404(client: Client, emailed_link: str, tamper, suffix: str) -> None:
    prefix, token = emailed_link.rsplit("/", 1)

    response = client.get(f"{prefix}/{tamper(token)}{suffix}")

    assert response.status_code == 404
    assert b"This link does not work" in response.content


def test_a_status_token_opens_no_certificate(
    client: Client, emailed_link: str, alices_request: ErasureRequest
) -> None:
    token = status_token_make(alices_request.reference)

    assert client.get(f"/privacy/certificate/{token}").status_code == 404


def test_a_request_not_completed_has_no_certificate(
    client: Client, alices_request: ErasureRequest
) -> None:
    token = certificate_token_make(alices_request.reference)

    assert client.get(f"/privacy/certificate/{token}").status_code == 404
    assert not AuditEvent.objects.filter(action="certificate.issued").exists()


def test_wrong_method_is_refused(client: Client, emailed_link: str) -> None:
    assert client.post(emailed_link).status_code == 405
