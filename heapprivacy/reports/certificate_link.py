"""The public certificate link emailed when a request completes: no login, the token is the key.

The page and its downloads (PDF, JSON) serve the certificate heapprivacy.reports issues, issuing
it on the first visit if no one has yet. A tampered token, or a request that is not completed,
gets the same 404 page. Visits are not audited: a public link must not be able to fill the audit
trail; the certificate's issue is (certificate.issued).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from heapprivacy.audit.actors import Actor
from heapprivacy.notifications.tokens import TokenInvalid, certificate_token_read
from heapprivacy.reports.certificate_words import certificate_words
from heapprivacy.reports.certificates import (
    CertificateUnavailable,
    IssuedCertificate,
    certificate_issue,
    certificate_pdf,
)

LINK = Actor.system("certificate link")


@require_GET
def certificate_view(request: HttpRequest, token: str, fmt: str = "html") -> HttpResponse:
    try:
        certificate = certificate_issue(certificate_token_read(token), actor=LINK)
    except (TokenInvalid, CertificateUnavailable):
        page = render(request, "intake/link_refused.html", {"reason": "invalid"}, status=404)
        return _private(page)
    if fmt == "json":
        return _download(certificate, certificate.body, "json", "application/json")
    if fmt == "pdf":
        return _download(certificate, certificate_pdf(certificate), "pdf", "application/pdf")
    context = {
        **certificate_words(certificate.content()),
        "sha256": certificate.sha256,
        "token": token,
    }
    return _private(render(request, "reports/certificate_link.html", context))


def _download(
    certificate: IssuedCertificate, body: bytes, extension: str, content_type: str
) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    name = f"certificate-{certificate.reference}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)


def _private(response: HttpResponse) -> HttpResponse:
    """Reached by a token in the URL: kept out of search engines and shared caches."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
