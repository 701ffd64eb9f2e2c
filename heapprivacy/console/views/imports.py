"""CSV import in the console: upload, preview, then confirm (or discard), then watch it import.

Officers only (`erasure.add_erasurerequest`). An upload, and the import job it becomes, are their
uploader's: anyone else gets a 404 for them. Confirming queues the import for a worker; the
progress page shows a bar that `static/js/import_progress.js` refreshes from the JSON endpoint
(without JavaScript, the page reloads itself), then the per-line report. A large upload is
checked by a worker before that: its preview page shows the check's progress the same way until
the preview is ready.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from heapprivacy.accounts.access import StaffRequest, permission_required
from heapprivacy.console.forms_imports import ImportUploadForm
from heapprivacy.erasure.imports.import_preview import PREVIEW_KEEP
from heapprivacy.erasure.imports.importer import InvalidFile
from heapprivacy.intake.imports import (
    import_job_create,
    import_job_get,
    import_job_progress,
    import_job_report,
)
from heapprivacy.intake.models import ImportJob
from heapprivacy.intake.tasks import check_upload, run_import
from heapprivacy.intake.upload_checks import upload_check_progress
from heapprivacy.intake.uploads import (
    MAX_UPLOAD_BYTES,
    Upload,
    UploadNotFound,
    UploadTooLarge,
    upload_discard,
    upload_get,
    upload_preview,
)

ADD = "erasure.add_erasurerequest"
HEADINGS = {
    ImportJob.State.QUEUED: "Import queued",
    ImportJob.State.RUNNING: "Importing",
    ImportJob.State.DONE: "Import done",
    ImportJob.State.FAILED: "Import failed",
}
STATUS = {
    ImportJob.State.QUEUED: "Waiting for a worker to start the import.",
    ImportJob.State.RUNNING: "Importing. The requests appear together once the whole file is in.",
    ImportJob.State.DONE: "Imported. The uploaded file is deleted.",
    ImportJob.State.FAILED: "The import failed. The uploaded file is deleted.",
}

CHECK_STATUS = {
    "checking": "Checking every row. The preview appears here when the whole file is read.",
    "done": "Checked.",
    "failed": "The file was refused.",
}


@require_http_methods(["GET", "POST"])
@permission_required(ADD)
def import_upload(request: StaffRequest) -> HttpResponse:
    if request.method == "GET":
        return _upload_page(request, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            upload = upload_preview(
                form.cleaned_data["file"],
                account=form.cleaned_data["account"],
                user=request.user,
            )
        except InvalidFile as error:
            form.add_error("file", f"{error}. Nothing can be imported from this file.")
        except UploadTooLarge as error:
            form.add_error("file", f"{str(error).capitalize()}.")
        else:
            if upload.preview is None:
                # Only a nudge: the imports sweep sends it again if it is lost.
                check_upload.delay_on_commit(upload.token)  # type: ignore[attr-defined]  # not in celery-types yet
            return redirect("console:import_preview", token=upload.token)
    return _upload_page(request, form, status=400)


@require_GET
@permission_required(ADD)
def import_preview(request: StaffRequest, token: str) -> HttpResponse:
    upload = _upload(token, request.user)
    context: dict[str, Any] = {
        "upload": upload,
        "report": upload.preview,
        "account": upload.account,
    }
    if upload.preview is None:
        context["progress"] = upload_check_progress(upload)
        return render(request, "console/import_checking.html", context | _limits())
    return render(request, "console/import_preview.html", context | _limits())


@require_GET
@permission_required(ADD)
def import_preview_json(request: StaffRequest, token: str) -> JsonResponse:
    progress = upload_check_progress(_upload(token, request.user))
    return JsonResponse({**progress, "status": CHECK_STATUS[progress["state"]]})


@require_POST
@permission_required(ADD)
def import_confirm(request: StaffRequest, token: str) -> HttpResponse:
    upload = _upload(token, request.user)
    if upload.preview is None:  # still being checked, or refused: nothing to confirm yet
        return redirect("console:import_preview", token=upload.token)
    try:
        job = import_job_create(upload, user=request.user)
    except UploadNotFound:
        raise Http404("no such upload") from None
    # Only a nudge: the sweep finds the queued job again if this message is lost.
    run_import.delay_on_commit(job.pk)  # type: ignore[attr-defined]  # not in celery-types yet
    return redirect("console:import_progress", token=job.token)


@require_GET
@permission_required(ADD)
def import_progress(request: StaffRequest, token: str) -> HttpResponse:
    job = _job(token, request.user)
    progress = import_job_progress(job)
    context = {
        "job": job,
        "progress": progress,
        "heading": HEADINGS[ImportJob.State(job.state)],
        "status": STATUS[ImportJob.State(job.state)],
        "report": import_job_report(job) if job.state == ImportJob.State.DONE else None,
    }
    return render(request, "console/import_job.html", context | _limits())


@require_GET
@permission_required(ADD)
def import_progress_json(request: StaffRequest, token: str) -> JsonResponse:
    job = _job(token, request.user)
    return JsonResponse({**import_job_progress(job), "status": STATUS[ImportJob.State(job.state)]})


@require_POST
@permission_required(ADD)
def import_discard(request: StaffRequest, token: str) -> HttpResponse:
    upload_discard(_upload(token, request.user), user=request.user)
    messages.success(request, "Upload discarded: nothing was imported and the file is deleted.")
    return redirect("console:import_upload")


def _upload(token: str, user: AbstractBaseUser) -> Upload:
    try:
        return upload_get(token, user)
    except UploadNotFound:
        raise Http404("no such upload") from None


def _job(token: str, user: AbstractBaseUser) -> ImportJob:
    try:
        return import_job_get(token, user)
    except ImportJob.DoesNotExist:
        raise Http404("no such import") from None


def _upload_page(request: StaffRequest, form: ImportUploadForm, status: int = 200) -> HttpResponse:
    return render(request, "console/import_upload.html", {"form": form} | _limits(), status=status)


def _limits() -> dict[str, int]:
    return {"max_mb": MAX_UPLOAD_BYTES // 2**20, "keep": PREVIEW_KEEP}
