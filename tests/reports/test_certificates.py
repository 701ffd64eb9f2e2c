import hashlib
import json
import re
import subprocess
from datetime import UTC
from pathlib import Path

import pytest
from PIL import Image

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import DeletionBatch
from heapprivacy.pseudonyms import subject_pseudonym
from heapprivacy.reports import certificates
from heapprivacy.reports.certificates import (
    CertificateUnavailable,
    IssuedCertificate,
    certificate_html,
    certificate_issue,
    certificate_pdf,
)
from tests.erasure.factories import make_request
from tests.reports.conftest import complete, run_to_completion

pytestmark = pytest.mark.django_db

AUDITOR = Actor.system("tests")
VALUES = ["alice@example.com", "bob@example.com"]
# The rightmost 15 mm of an A4 page (210 mm) rendered at 50 dpi: inside its 16 mm margin.
RIGHT_MARGIN_PX = round(15 / 25.4 * 50)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "cert.pdf").write_bytes(pdf)
    subprocess.run(["pdftotext", "cert.pdf", "cert.txt"], cwd=tmp_path, check=True)
    return (tmp_path / "cert.txt").read_text()


def reissued(content: dict) -> IssuedCertificate:
    """A certificate of `content` as certificate_issue would have stored it."""
    body = certificates.canonical_json(content)
    return IssuedCertificate(content["reference"], body, hashlib.sha256(body).hexdigest())


def test_the_json_names_the_request_its_heap_deletions_and_how_it_was_approved(
    completed_request,
) -> None:
    issued = certificate_issue(completed_request.reference, actor=AUDITOR)

    content = json.loads(issued.body)
    batch = DeletionBatch.objects.get()
    assert (content["reference"], content["jurisdiction"]) == (
        completed_request.reference,
        "GDPR-EU",
    )
    assert content["approved_by"]["role"] == "privacy_officer"
    assert content["approved_by"]["without_verification"] is False
    assert AuditEvent.objects.get(seq=content["approved_by"]["audit_seq"]).action == (
        "request.approved"
    )
    assert content["heap_deletions"] == [
        {
            "deletion_request_id": batch.deletion_request_id,
            "heap_region": "us",
            "subjects": 2,
            "submitted_at": certificates.iso(batch.submitted_at),
            "completed_at": certificates.iso(batch.completed_at),
            "second_approval": False,
        }
    ]


def test_an_approver_is_named_by_role_and_a_user_without_one_as_staff(account, user_as) -> None:
    approver = user_as("approver")
    by_approver = complete(make_request(account, ["carol@example.com"]), approver)
    unroled = complete(make_request(account, ["dave@example.com"]), user_as("officer"))
    user_as("officer").groups.clear()

    roles = [
        json.loads(certificate_issue(request.reference, actor=AUDITOR).body)["approved_by"]["role"]
        for request in (by_approver, unroled)
    ]

    assert roles == ["approver", "staff"]


def test_an_approval_without_verification_is_flagged_without_its_reason(
    account, user_as, tmp_path
) -> None:
    request = make_request(account, ["erin@example.com"])
    request_approve(request, actor=Actor.for_user(user_as("approver")), verification_override="x7q")
    issued = certificate_issue(run_to_completion(request).reference, actor=AUDITOR)

    text = " ".join(pdf_text(certificate_pdf(issued), tmp_path).split())

    assert json.loads(issued.body)["approved_by"]["without_verification"] is True
    assert "nobody verified the requester's identity here" in text
    assert "x7q" not in issued.body.decode()


def test_it_is_issued_by_the_configured_organisation(completed_request, settings, tmp_path) -> None:
    settings.ORGANISATION_NAME = "Northwind Trading plc"
    settings.ORGANISATION_CONTACT = "dpo@northwind.test"

    issued = certificate_issue(completed_request.reference, actor=AUDITOR)

    assert json.loads(issued.body)["issuer"] == {
        "name": "Northwind Trading plc",
        "contact": "dpo@northwind.test",
    }
    header, *rest = pdf_text(certificate_pdf(issued), tmp_path).split("\n")
    assert header == "Northwind Trading plc"
    assert "questions about this certificate: dpo@northwind.test" in " ".join(rest)


def test_it_names_no_member_of_staff_and_no_heap_account(
    completed_request, officer, tmp_path
) -> None:
    issued = certificate_issue(completed_request.reference, actor=AUDITOR)

    text = pdf_text(certificate_pdf(issued), tmp_path)
    for shown in (issued.body.decode(), certificate_html(issued), text):
        assert officer.username not in shown
        assert "acme" not in shown
    assert "a privacy officer, " in text
    assert "Heap (US)" in text


def test_the_timeline_runs_from_receipt_to_heaps_confirmation(completed_request) -> None:
    timeline = json.loads(certificate_issue(completed_request.reference, actor=AUDITOR).body)[
        "timeline"
    ]
    batch = DeletionBatch.objects.get()

    steps = [
        "received",
        "verified",
        "approved",
        "submitted_to_heap",
        "confirmed_by_heap",
        "completed",
    ]
    assert set(timeline) == set(steps)
    assert timeline["received"] == certificates.iso(completed_request.received_at)
    assert timeline["submitted_to_heap"] == certificates.iso(batch.submitted_at)
    assert timeline["confirmed_by_heap"] == certificates.iso(batch.completed_at)
    in_order = [timeline[step] for step in steps]
    assert all(in_order)
    assert sorted(in_order) == in_order


def test_subjects_appear_only_as_keyed_hashes(completed_request) -> None:
    issued = certificate_issue(completed_request.reference, actor=AUDITOR)

    subjects = json.loads(issued.body)["subjects"]
    assert [subject["reference"] for subject in subjects] == [
        subject_pseudonym(value) for value in VALUES
    ]
    assert {subject["state"] for subject in subjects} == {"erased"}
    for value in (*VALUES, "alice", "example.com"):
        assert value.encode() not in issued.body
        assert value not in certificate_html(issued)


def test_the_audit_head_is_the_event_before_the_certificates_own_issue_event(
    completed_request,
) -> None:
    issued = certificate_issue(completed_request.reference, actor=AUDITOR)

    event = AuditEvent.objects.get(action="certificate.issued")
    seq, head = json.loads(issued.body)["audit_head"].split(":")
    assert (int(seq), head) == (event.seq - 1, event.prev_hash)
    assert event.details == {"sha256": issued.sha256, "audit_head": f"{seq}:{head}"}
    assert event.request_ref == completed_request.reference


def test_it_is_issued_once_and_the_same_bytes_are_served_after(completed_request) -> None:
    first = certificate_issue(completed_request.reference, actor=AUDITOR)

    again = certificate_issue(completed_request.reference, actor=AUDITOR)

    assert again == first
    assert hashlib.sha256(again.body).hexdigest() == again.sha256
    assert AuditEvent.objects.filter(action="certificate.issued").count() == 1


def test_a_request_not_completed_has_no_certificate(idle_account) -> None:
    request = make_request(idle_account)

    with pytest.raises(CertificateUnavailable, match="is received") as refused:
        certificate_issue(request.reference, actor=AUDITOR)
    assert refused.value.exists
    with pytest.raises(CertificateUnavailable, match="no request") as unknown:
        certificate_issue("DSR-1999-000001", actor=AUDITOR)
    assert not unknown.value.exists


def test_the_pdf_renders_and_prints_the_sha256_of_the_json(completed_request, tmp_path) -> None:
    issued = certificate_issue(completed_request.reference, actor=AUDITOR)
    pdf = certificate_pdf(issued)
    (tmp_path / "cert.pdf").write_bytes(pdf)

    rendered = subprocess.run(["pdftoppm", "-png", "-r", "50", "cert.pdf", "out"], cwd=tmp_path)

    assert rendered.returncode == 0
    assert list(tmp_path.glob("out*.png"))
    text = pdf_text(pdf, tmp_path)
    printed = re.findall(r"\b[0-9a-f]{64}\b", text)
    assert printed[0] == issued.sha256 == hashlib.sha256(issued.body).hexdigest()
    assert completed_request.reference in text
    assert DeletionBatch.objects.get().deletion_request_id in text
    assert not [value for value in VALUES if value in text]


def test_the_pdf_carries_the_json_as_an_attachment(completed_request, tmp_path) -> None:
    issued = certificate_issue(completed_request.reference, actor=AUDITOR)
    (tmp_path / "cert.pdf").write_bytes(certificate_pdf(issued))

    subprocess.run(["pdfdetach", "-saveall", "cert.pdf"], cwd=tmp_path, check=True)

    attached = tmp_path / f"certificate-{completed_request.reference}.json"
    assert attached.read_bytes() == issued.body


def test_a_long_certificate_lists_the_first_subjects_and_points_to_the_json(
    completed_request, monkeypatch
) -> None:
    monkeypatch.setattr(certificates, "PDF_SUBJECTS_SHOWN", 1)
    issued = certificate_issue(completed_request.reference, actor=AUDITOR)

    html = certificate_html(issued)

    assert subject_pseudonym(VALUES[0]) in html
    assert subject_pseudonym(VALUES[1]) not in html
    assert "1 more subjects are listed in the attached JSON" in html
    assert issued.sha256 in html


def test_a_long_deletion_request_id_and_many_rows_stay_inside_the_right_margin(
    completed_request, tmp_path
) -> None:
    content = certificate_issue(completed_request.reference, actor=AUDITOR).content()
    deletion = content["heap_deletions"][0]
    content["heap_deletions"] = [
        {**deletion, "deletion_request_id": f"{n}a7f3c9e1b" * 12} for n in range(8)
    ]
    content["subjects"] *= 40
    (tmp_path / "cert.pdf").write_bytes(certificate_pdf(reissued(content)))

    subprocess.run(["pdftoppm", "-png", "-r", "50", "cert.pdf", "page"], cwd=tmp_path, check=True)

    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) > 1
    for page in pages:
        with Image.open(page) as image:
            width, height = image.size
            band = image.convert("L").crop((width - RIGHT_MARGIN_PX, 0, width, height))
            assert band.getextrema()[0] > 245, f"{page.name} prints into the right margin"


def test_every_date_reads_as_words_and_an_absent_one_says_so(completed_request, tmp_path) -> None:
    content = certificate_issue(completed_request.reference, actor=AUDITOR).content()
    content["timeline"]["verified"] = ""
    content["heap_deletions"][0]["completed_at"] = ""

    text = " ".join(pdf_text(certificate_pdf(reissued(content)), tmp_path).split())

    assert not re.findall(r"\d{4}-\d\d-\d\dT|\bNone\b|\b(?:[A-Z][a-z]+){2,}\b", text)
    completed = completed_request.completed_at.astimezone(UTC)
    assert f"Completed {completed.day} {completed:%B %Y, %H:%M} UTC" in text
    assert "Identity verified not recorded" in text
