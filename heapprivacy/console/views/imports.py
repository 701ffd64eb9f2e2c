"""CSV import in the console: upload, preview, then confirm (or discard).

Officers only (`erasure.add_erasurerequest`); approving on import also needs
`erasure.decide_request`, checked again at confirmation. An upload is its uploader's: anyone
else gets a 404 for it. The import runs synchronously in the confirming request.
"""

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from heapprivacy.console.access import permission_required
from heapprivacy.console.forms_imports import ImportUploadForm
from heapprivacy.erasure.import_preview import (
    MAX_UPLOAD_BYTES,
    PREVIEW_KEEP,
    Upload,
    UploadNotFound,
    UploadTooLarge,
    upload_confirm,
    upload_discard,
    upload_get,
    upload_preview,
)
from heapprivacy.erasure.importer import InvalidFile

ADD = "erasure.add_erasurerequest"


@require_http_methods(["GET", "POST"])
@permission_required(ADD)
def import_upload(request: HttpRequest) -> HttpResponse:
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
            return redirect("console:import_preview", token=upload.token)
    return _upload_page(request, form, status=400)


@require_GET
@permission_required(ADD)
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    upload = _upload(token, request.user)
    context = {"upload": upload, "report": upload.preview, "account": upload.account}
    return render(request, "console/import_preview.html", context | _limits())


@require_POST
@permission_required(ADD)
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    upload = _upload(token, request.user)
    account = upload.account
    try:
        report = upload_confirm(upload, user=request.user)
    except UploadNotFound:
        raise Http404("no such upload") from None
    except InvalidFile as error:
        messages.error(request, f"{error}. Nothing was imported.")
        return redirect("console:import_upload")
    context = {"upload": upload, "report": report, "account": account}
    return render(request, "console/import_result.html", context | _limits())


@require_POST
@permission_required(ADD)
def import_discard(request: HttpRequest, token: str) -> HttpResponse:
    upload_discard(_upload(token, request.user), user=request.user)
    messages.success(request, "Upload discarded: nothing was imported and the file is deleted.")
    return redirect("console:import_upload")


def _upload(token: str, user: AbstractBaseUser) -> Upload:
    try:
        return upload_get(token, user)
    except UploadNotFound:
        raise Http404("no such upload") from None


def _upload_page(request: HttpRequest, form: ImportUploadForm, status: int = 200) -> HttpResponse:
    return render(request, "console/import_upload.html", {"form": form} | _limits(), status=status)


def _limits() -> dict[str, int]:
    return {"max_mb": MAX_UPLOAD_BYTES // 2**20, "keep": PREVIEW_KEEP}
