"""Certificates of erasure: one per completed request, JSON and PDF with the same content.

The JSON is built once, at first issue, and stored; both formats are served from that body, so
the SHA-256 the PDF prints is the SHA-256 of the JSON file an auditor downloads, at any time.
Subjects appear only as keyed hashes (pseudonyms.py), never as their values. The subject reads
the certificate too (its public link), so staff appear only by their role and Heap accounts only
by their region: the audit event the certificate cites names who approved, for an auditor.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Max, Min
from django.template.loader import render_to_string
from django.utils import timezone

from heapprivacy.accounts.roles import Role
from heapprivacy.audit.actors import Actor, ActorKind
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.services import append_lock, audit_head, audit_record
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest
from heapprivacy.pseudonyms import subject_pseudonym
from heapprivacy.reports.certificate_words import certificate_words
from heapprivacy.reports.csvsafe import iso
from heapprivacy.reports.models import Certificate

# 2: the issuer; roles and Heap regions instead of staff usernames and Heap account labels.
VERSION = 2
PSEUDONYMISATION = (
    "HMAC-SHA256 of the subject value's UTF-8 bytes keyed with this installation's "
    "PSEUDONYM_KEY, in hex"
)
# The PDF lists this many subjects; the rest are in the JSON, which the PDF carries as an
# attachment and identifies by its SHA-256. Thousands of table rows would take minutes to lay out.
PDF_SUBJECTS_SHOWN = 500
SUBJECT_CHUNK = 2_000

# A4 with the margins kept whatever the content: fixed table layouts with set column widths, and
# long values (Heap's deletion_request_ids have no length limit) broken anywhere rather than
# pushed past the right margin.
PDF_CSS = """
@page { size: A4; margin: 18mm 16mm;
  @bottom-left { content: element(footer); width: 70%; }
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #5d6778; } }
.page-footer { position: running(footer); font-size: 8pt; color: #5d6778; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; color: #1b2330; }
.issuer { font-size: 10pt; font-weight: bold; color: #5d6778; margin: 0 0 1mm; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 11pt; margin: 6mm 0 2mm; border-bottom: 0.5pt solid #c5ccd8; }
.lead { color: #5d6778; margin: 0 0 4mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: 1.2mm 2mm;
  border-bottom: 0.4pt solid #dde2ea; overflow-wrap: anywhere; }
th { font-size: 8pt; color: #5d6778; text-transform: uppercase; font-weight: bold; }
.facts th { width: 38mm; text-transform: none; font-size: 9.5pt; }
.heap { width: 20mm; }
.count { width: 16mm; }
.time { width: 29mm; }
td.time { font-size: 8.5pt; }
.kind { width: 16mm; }
.mono, .hash { font-family: "DejaVu Sans Mono", monospace; }
.mono { font-size: 7.5pt; }
.proof { margin: 5mm 0; padding: 3mm; border: 0.8pt solid #2454c5; background: #e8eefc; }
.proof .hash { font-size: 8.2pt; overflow-wrap: anywhere; }
.note { color: #5d6778; font-size: 8.5pt; }
"""


class CertificateUnavailable(Exception):
    """No certificate for this reference: unknown request, or not completed (yet)."""

    def __init__(self, message: str, *, exists: bool) -> None:
        super().__init__(message)
        self.exists = exists


@dataclass(frozen=True)
class IssuedCertificate:
    reference: str
    body: bytes
    sha256: str

    def content(self) -> dict[str, Any]:
        return json.loads(self.body)


def canonical_json(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def certificate_issue(reference: str, *, actor: Actor) -> IssuedCertificate:
    """The request's certificate, issued now (and audited as certificate.issued) if it was not.

    The audit head is read under the audit append lock, so it is exactly the event before the
    certificate's own certificate.issued event, whose prev_hash therefore proves it. The content
    is gathered before taking the lock, which every audited action waits for.
    """
    request = _completed_request(reference)
    stored = Certificate.objects.filter(request=request).first()
    if stored is None:
        content = certificate_content(request)
        with transaction.atomic():
            append_lock()
            stored = Certificate.objects.filter(request=request).first() or _issue(
                request, content, actor
            )
    return IssuedCertificate(reference, stored.body.encode("utf-8"), stored.sha256)


def _completed_request(reference: str) -> ErasureRequest:
    request = ErasureRequest.objects.filter(reference=reference).first()
    if request is None:
        raise CertificateUnavailable(f"no request {reference}", exists=False)
    if request.state != ErasureRequest.State.COMPLETED:
        raise CertificateUnavailable(
            f"{reference} is {request.state}: a certificate is issued once it is completed",
            exists=True,
        )
    return request


def _issue(request: ErasureRequest, content: dict[str, Any], actor: Actor) -> Certificate:
    seq, head = audit_head()
    issued_at = timezone.now()
    body = canonical_json({**content, "issued_at": iso(issued_at), "audit_head": f"{seq}:{head}"})
    certificate = Certificate.objects.create(
        request=request,
        issued_at=issued_at,
        body=body.decode("utf-8"),
        sha256=hashlib.sha256(body).hexdigest(),
    )
    audit_record(
        "certificate.issued",
        actor=actor,
        target=certificate,
        request_ref=request.reference,
        details={"sha256": certificate.sha256, "audit_head": f"{seq}:{head}"},
    )
    return certificate


def certificate_content(request: ErasureRequest) -> dict[str, Any]:
    """Everything but issued_at and audit_head, which _issue adds under the lock."""
    return {
        "certificate": "erasure",
        "version": VERSION,
        "issuer": {"name": settings.ORGANISATION_NAME, "contact": settings.ORGANISATION_CONTACT},
        "reference": request.reference,
        "jurisdiction": request.jurisdiction,
        "timeline": _timeline(request),
        "approved_by": _approval(request),
        "heap_deletions": _heap_deletions(request),
        "pseudonymisation": PSEUDONYMISATION,
        "subjects": _subjects(request),
    }


def _timeline(request: ErasureRequest) -> dict[str, str]:
    batches = DeletionBatch.objects.filter(request_links__request=request).aggregate(
        submitted=Min("submitted_at"), confirmed=Max("completed_at")
    )
    return {
        "received": iso(request.received_at),
        "verified": iso(request.verified_at),
        "approved": iso(request.decided_at),
        "submitted_to_heap": iso(batches["submitted"]),
        "confirmed_by_heap": iso(batches["confirmed"]),
        "completed": iso(request.completed_at),
    }


def _approval(request: ErasureRequest) -> dict[str, Any]:
    """The approver's role (never their name), when, whether nobody had verified the requester's
    identity (the override's reason stays on the request: officers' words, which retention
    removes and a certificate would keep), and the seq of the request.approved event."""
    unverified = {"without_verification": bool(request.verification_override)}
    event = (
        AuditEvent.objects.filter(request_ref=request.reference, action="request.approved")
        .order_by("seq")
        .first()
    )
    if event is None:  # approved before the audit trail existed: only the request knows when
        return {"role": "", "at": iso(request.decided_at), "audit_seq": 0, **unverified}
    return {"role": _role(event), "at": iso(event.at), "audit_seq": event.seq, **unverified}


def _role(event: AuditEvent) -> str:
    """privacy_officer or approver (the user's role at issue), staff, api_client or system."""
    if event.actor_kind != ActorKind.USER:
        return str(event.actor_kind)
    groups = set(Group.objects.filter(user__pk=event.actor_id).values_list("name", flat=True))
    if Role.OFFICER in groups:
        return "privacy_officer"
    return "approver" if Role.APPROVER in groups else "staff"


def _heap_deletions(request: ErasureRequest) -> list[dict[str, Any]]:
    counts = dict(request.batch_links.values_list("batch_id", "members"))
    batches = DeletionBatch.objects.filter(pk__in=counts).select_related("account")
    return [
        {
            "deletion_request_id": batch.deletion_request_id,
            "heap_region": batch.account.region,
            "subjects": counts[batch.pk],
            "submitted_at": iso(batch.submitted_at),
            "completed_at": iso(batch.completed_at),
            "second_approval": batch.approved_by_id is not None,
        }
        for batch in batches.order_by("pk")
    ]


def _subjects(request: ErasureRequest) -> list[dict[str, Any]]:
    subjects = (
        request.subjects.with_heap_state()
        .order_by("pk")
        .values_list("kind", "value", "heap_state", "account__region", "erased_at")
        .iterator(chunk_size=SUBJECT_CHUNK)
    )
    return [
        {
            "kind": kind,
            "reference": subject_pseudonym(value),
            "heap_region": region,
            "state": state,
            "erased_at": iso(erased_at),
        }
        for kind, value, state, region, erased_at in subjects
    ]


def certificate_html(certificate: IssuedCertificate) -> str:
    return render_to_string(
        "reports/certificate.html",
        {
            **certificate_words(certificate.content(), subjects_shown=PDF_SUBJECTS_SHOWN),
            "sha256": certificate.sha256,
        },
    )


def certificate_pdf(certificate: IssuedCertificate) -> bytes:
    """The PDF, with the JSON attached as certificate-REF.json (pdfdetach lists it)."""
    import weasyprint  # slow to import, and only certificates need it

    attachment = weasyprint.Attachment(
        string=certificate.body,
        name=f"certificate-{certificate.reference}.json",
        description=f"Certificate JSON, SHA-256 {certificate.sha256}",
    )
    document = weasyprint.HTML(string=certificate_html(certificate), url_fetcher=_no_fetch)
    return document.write_pdf(
        stylesheets=[weasyprint.CSS(string=PDF_CSS)], attachments=[attachment]
    )


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, Any]:
    """The template needs nothing from outside; refuse every URL, so none can leak a request."""
    raise ValueError(f"certificates fetch no resources ({url[:40]})")
