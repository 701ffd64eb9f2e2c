"""Report screens and downloads. All read-only; every download is an audited export."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from heapprivacy.accounts.access import StaffRequest, permission_required
from heapprivacy.audit.actors import Actor
from heapprivacy.reports import metrics, selectors
from heapprivacy.reports.certificates import CertificateUnavailable
from heapprivacy.reports.describe import ACTIONS
from heapprivacy.reports.exports import Export, export_filename, export_open
from heapprivacy.reports.forms import (
    AuditFilterForm,
    AuditPageForm,
    CertificateForm,
    PeriodForm,
)
from heapprivacy.reports.pack_jobs import (
    PackJob,
    PackNotFound,
    pack_job_create,
    pack_job_get,
    pack_job_progress,
)
from heapprivacy.reports.tasks import build_pack

EXPORT = "reports.export_reports"
VIEW_AUDIT = "audit.view_auditevent"
PACK_STATUS = {
    "queued": "Packing the register, the whole audit chain and its verification.",
    "done": "Built. The pack is kept for a day.",
    "failed": "The pack could not be built.",
}


@require_GET
@permission_required(EXPORT)
def exports_page(request: StaffRequest) -> HttpResponseBase:
    context = {  # one page, several forms: ids kept apart
        "register_form": PeriodForm(auto_id="register_%s"),
        "metrics_form": PeriodForm(auto_id="metrics_%s"),
        "audit_form": AuditFilterForm(auto_id="audit_%s"),
        "certificate_form": CertificateForm(auto_id="certificate_%s"),
        "completed": selectors.recently_completed(),
    }
    return render(request, "reports/exports.html", context)


@require_GET
@permission_required(EXPORT)
def register_download(request: StaffRequest) -> HttpResponseBase:
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    return _download(export_open("register", "csv", actor=_actor(request), period=form.period()))


@require_GET
@permission_required(EXPORT)
def audit_download(request: StaffRequest, fmt: str) -> HttpResponseBase:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    return _download(export_open("audit", fmt, actor=_actor(request), audit=form.filters()))


@require_GET
@permission_required(EXPORT)
def metrics_download(request: StaffRequest) -> HttpResponseBase:
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    return _download(export_open("metrics", "csv", actor=_actor(request), period=form.period()))


@require_GET
@permission_required(EXPORT)
def pack_download(request: StaffRequest) -> HttpResponseBase:
    return _download(export_open("pack", "zip", actor=_actor(request)))


@require_POST
@permission_required(EXPORT)
def pack_job_new(request: StaffRequest) -> HttpResponseBase:
    job = pack_job_create(actor=_actor(request), user=request.user)
    # A nudge: the packs sweep sends it again if lost. (delay_on_commit: not in celery-types yet.)
    build_pack.delay_on_commit(job.token)  # type: ignore[attr-defined]
    return redirect("reports:pack_job", token=job.token)


@require_GET
@permission_required(EXPORT)
def pack_job_page(request: StaffRequest, token: str) -> HttpResponseBase:
    job = _pack_job(token, request.user)
    context = {"job": job, "progress": pack_job_progress(job)}
    return render(request, "reports/pack_job.html", context)


@require_GET
@permission_required(EXPORT)
def pack_job_progress_json(request: StaffRequest, token: str) -> JsonResponse:
    progress = pack_job_progress(_pack_job(token, request.user))
    return JsonResponse({**progress, "status": PACK_STATUS[progress["state"]]})


@require_GET
@permission_required(EXPORT)
def pack_job_download(request: StaffRequest, token: str) -> HttpResponseBase:
    job = _pack_job(token, request.user)
    if job.state != "done":
        raise Http404("the pack is not built")
    pack = job.zip_path.open("rb")  # FileResponse closes it
    return _download(Export(export_filename("pack", "zip"), "application/zip", pack))


def _pack_job(token: str, user: AbstractBaseUser) -> PackJob:
    try:
        return pack_job_get(token, user)
    except PackNotFound:
        raise Http404("no such pack") from None


@require_GET
@permission_required(EXPORT)
def certificate_download(request: StaffRequest) -> HttpResponseBase:
    form = CertificateForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    reference, fmt = form.cleaned_data["reference"], form.cleaned_data["format"]
    try:
        export = export_open("certificate", fmt, actor=_actor(request), reference=reference)
    except CertificateUnavailable as refused:
        status = 409 if refused.exists else 404
        return HttpResponse(str(refused), status=status, content_type="text/plain")
    return _download(export)


@require_GET
@permission_required(EXPORT)
def metrics_page(request: StaffRequest) -> HttpResponseBase:
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    figures = metrics.metrics_compute(form.period())
    context = {
        "form": form,
        "metrics": figures,
        "charts": [
            metrics.Chart("jurisdiction", figures.by_jurisdiction),
            metrics.Chart("source", figures.by_source),
        ],
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/metrics.html", context)


@require_GET
@permission_required(EXPORT)
@permission_required(VIEW_AUDIT)
def audit_log(request: StaffRequest) -> HttpResponseBase:
    form = AuditPageForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    data = form.cleaned_data
    page = selectors.audit_page(form.filters(), data["before"], each=data["each"])
    query = request.GET.copy()
    query.pop("before", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "actions": ACTIONS}
    return render(request, "reports/audit_log.html", context)


def _actor(request: StaffRequest) -> Actor:
    return Actor.for_user(request.user)


def _download(export: Export) -> HttpResponseBase:
    """Stream the export; the browser saves it under its filename and caches nothing."""
    response: HttpResponseBase
    if hasattr(export.content, "read"):
        response = FileResponse(export.content, content_type=export.content_type)
    elif isinstance(export.content, list):
        response = HttpResponse(b"".join(export.content), content_type=export.content_type)
    else:
        response = StreamingHttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.filename) or ""
    response["Cache-Control"] = "no-store"
    return response
