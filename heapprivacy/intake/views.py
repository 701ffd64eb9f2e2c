"""The public erasure pages: the form, "check your email", the emailed links' pages."""

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from heapprivacy.intake import services
from heapprivacy.intake.forms import ErasureForm
from heapprivacy.intake.jurisdictions import timeline_sentence
from heapprivacy.intake.ratelimit import submission_ratelimited
from heapprivacy.intake.selectors import public_status
from heapprivacy.notifications import tokens

logger = logging.getLogger(__name__)

# The form posts well under 2 KB; anything this big is not a person filling it in.
MAX_BODY_BYTES = 20_000
SUBJECTS_SHOWN = 20


@require_http_methods(["GET", "POST"])
def erasure_form(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _form_page(request, ErasureForm())
    if submission_ratelimited(request):
        return render(request, "intake/rate_limited.html", status=429)
    if _too_large(request):
        return render(request, "intake/too_large.html", status=413)
    form = ErasureForm(request.POST)
    if form.is_bot():
        logger.info("public form: honeypot filled in; nothing recorded")
        return redirect("intake:erasure_sent")
    if not form.is_valid():
        return _form_page(request, form)
    try:
        services.intake_submit(
            email=form.cleaned_data["email"],
            jurisdiction=form.cleaned_data["jurisdiction"],
            identifiers=form.cleaned_data.get("identifiers", []),
        )
    except services.IntakeUnavailable as error:
        logger.error("public form: %s", error)
        return render(request, "intake/unavailable.html", status=503)
    # The same redirect whether the request is new, joined an open one, or came from a bot:
    # nothing here tells a stranger whether an address is known.
    return redirect("intake:erasure_sent")


@require_GET
def erasure_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def erasure_verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for a click, POST confirms: mail scanners that open links must not verify."""
    try:
        if request.method == "GET":
            link = services.verification_check(token)
            subjects = link.request.subjects.order_by("pk")
            context = {
                "reference": link.request.reference,
                "subjects": subjects[:SUBJECTS_SHOWN],
                "more_subjects": max(subjects.count() - SUBJECTS_SHOWN, 0),
            }
            return _private(render(request, "intake/verify.html", context))
        erasure_request, verified = services.verification_confirm(token)
    except services.LinkRefused as refusal:
        page = render(
            request, "intake/link_refused.html", {"reason": refusal.reason}, status=refusal.status
        )
        return _private(page)
    context = {
        "reference": erasure_request.reference,
        "verified": verified,
        "timeline": timeline_sentence(erasure_request.jurisdiction),
        "status_url": _status_path(erasure_request.reference),
    }
    return _private(render(request, "intake/verified.html", context))


@never_cache
@require_GET
def erasure_status(request: HttpRequest, token: str) -> HttpResponse:
    try:
        status = public_status(tokens.status_token_read(token))
    except tokens.TokenInvalid:
        status = None
    if status is None:
        page = render(request, "intake/link_refused.html", {"reason": "invalid"}, status=404)
        return _private(page)
    return _private(render(request, "intake/status.html", {"status": status}))


def _too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
    except ValueError:
        return True  # a length that is not a number is not a browser's


def _form_page(request: HttpRequest, form: ErasureForm) -> HttpResponse:
    return render(request, "intake/erasure_form.html", {"form": form})


def _status_path(reference: str) -> str:
    return reverse("intake:erasure_status", args=[tokens.status_token_make(reference)])


def _private(response: HttpResponse) -> HttpResponse:
    """Pages reached by a token in the URL: kept out of search engines."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
