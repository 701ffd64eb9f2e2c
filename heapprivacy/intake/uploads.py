"""CSV uploads that wait between their preview and their import.

The console stores an upload under VAR_DIR/uploads as `<token>.csv`, owner-only (0600, in a
0700 directory), beside `<token>.json`: who uploaded it, for which Heap account, and its preview.
Only that user may see, confirm or discard it; anyone else gets "not found". The CSV holds
personal data, so it is deleted when the upload is discarded, and any upload left waiting longer
than UPLOAD_TTL is deleted at the next upload. A confirmed upload becomes an import job
(`heapprivacy/intake/imports.py`), which takes its file over.
"""

import json
import os
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.imports.import_preview import requests_preview
from heapprivacy.erasure.imports.importer import (
    ImportReport,
    InvalidFile,
    Progress,
    RowError,
    RowWarning,
)
from heapprivacy.erasure.models import HeapAccount
from heapprivacy.private_files import private_dir, replace_private

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
UPLOAD_TTL = timedelta(hours=24)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")


class UploadNotFound(LookupError):
    """No such upload for this user: never stored, another user's, expired, or already used."""


class UploadTooLarge(ValueError):
    pass


@dataclass
class Upload:
    token: str
    user_id: int
    account_id: int
    name: str
    size: int
    uploaded_at: str
    # None while a worker checks a large file (upload_checks.py); `error` says why it refused it.
    preview: ImportReport | None
    error: str = ""

    @property
    def csv_path(self) -> Path:
        return uploads_dir() / f"{self.token}.csv"

    @property
    def account(self) -> HeapAccount:
        return HeapAccount.objects.get(pk=self.account_id)


def upload_preview(file: UploadedFile, *, account: HeapAccount, user: AbstractBaseUser) -> Upload:
    """Store `file` for `user` and preview its import; InvalidFile keeps nothing.

    A file over PREVIEW_INLINE_BYTES is only stored: its preview is None until a worker has
    checked it (upload_checks.upload_check), and the caller sends that task.
    Audited as import.previewed with counts only: no value, no message (a message may quote a
    cell of the file, and the audit trail can never be erased).
    """
    uploads_sweep()
    token = secrets.token_urlsafe(24)
    path = uploads_dir() / f"{token}.csv"
    try:
        size = _store(file, path)
        upload = Upload(
            token=token,
            user_id=user.pk,
            account_id=account.pk,
            name=Path(file.name or "upload.csv").name[:100],
            size=size,
            uploaded_at=timezone.now().isoformat(),
            preview=None,
        )
        if size <= settings.PREVIEW_INLINE_BYTES:
            with path.open("rb") as lines:
                upload.preview = upload_check_file(upload, lines, user=user)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    upload_save(upload)
    return upload


def upload_check_file(
    upload: Upload, lines: BinaryIO, *, user: AbstractBaseUser, progress: Progress | None = None
) -> ImportReport:
    """The preview of the upload's file (open as `lines`), audited either way; InvalidFile when
    the file is refused."""
    try:
        preview = requests_preview(lines, account=upload.account, progress=progress)
    except InvalidFile:
        _audit_previewed(upload.token, upload.account, user, file_refused=True)
        raise
    _audit_previewed(
        upload.token, upload.account, user, file_refused=False, preview=preview, size=upload.size
    )
    return preview


def upload_save(upload: Upload) -> None:
    """Write the upload's record, replacing the last one whole."""
    replace_private(uploads_dir() / f"{upload.token}.json", json.dumps(asdict(upload)).encode())


def upload_load(token: str) -> Upload:
    """The upload `token`, whoever it belongs to, or UploadNotFound."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise UploadNotFound(token)
    try:
        data = json.loads((uploads_dir() / f"{token}.json").read_bytes())
    except FileNotFoundError:
        raise UploadNotFound(token) from None
    preview = data.pop("preview")
    return Upload(**data, preview=None if preview is None else report_from_data(preview))


def upload_get(token: str, user: AbstractBaseUser) -> Upload:
    """The upload `token` of `user`, or UploadNotFound."""
    upload = upload_load(token)
    if upload.user_id != user.pk or not upload.csv_path.exists():
        raise UploadNotFound(token)
    if datetime.fromisoformat(upload.uploaded_at) < timezone.now() - UPLOAD_TTL:
        upload_remove(token)
        raise UploadNotFound(token)
    return upload


def upload_discard(upload: Upload, *, user: AbstractBaseUser) -> None:
    upload_remove(upload.token)
    audit_record(
        "import.discarded",
        actor=Actor.for_user(user),
        target=upload.account,
        details={"upload": upload.token},
    )


def upload_remove(token: str) -> None:
    for suffix in (".csv", ".json"):
        (uploads_dir() / f"{token}{suffix}").unlink(missing_ok=True)


def uploads_sweep() -> int:
    """Delete the files of uploads left waiting longer than UPLOAD_TTL; return how many."""
    limit = (timezone.now() - UPLOAD_TTL).timestamp()
    removed = 0
    for path in uploads_dir().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # removed meanwhile by its own confirmation
    return removed


def uploads_dir() -> Path:
    return private_dir("uploads")


def report_from_data(data: dict[str, Any]) -> ImportReport:
    """An ImportReport back from `dataclasses.asdict` of one (as JSON keeps it)."""
    data = dict(data)
    data["errors"] = [RowError(**error) for error in data["errors"]]
    data["warnings"] = [RowWarning(**warning) for warning in data["warnings"]]
    return ImportReport(**data)


def report_counts(report: ImportReport) -> dict[str, int]:
    return {
        "rows": report.subjects + report.refused,
        "requests": report.requests,
        "subjects": report.subjects,
        "refused": report.refused,
        "duplicates": report.duplicates,
        "in_open_requests": report.in_open_requests,
        "warnings": report.warned,
    }


def _store(file: UploadedFile, path: Path) -> int:
    """Copy the upload to `path` (created owner-only), refusing it past MAX_UPLOAD_BYTES."""
    size = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in file.chunks():
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise UploadTooLarge(f"the file is over {MAX_UPLOAD_BYTES // 2**20} MB")
            out.write(chunk)
    return size


def _audit_previewed(
    token: str,
    account: HeapAccount,
    user: AbstractBaseUser,
    *,
    file_refused: bool,
    preview: ImportReport | None = None,
    size: int = 0,
) -> None:
    details: dict[str, Any] = {"upload": token, "file_refused": file_refused}
    if preview is not None:
        details |= {"bytes": size, **report_counts(preview)}
    audit_record("import.previewed", actor=Actor.for_user(user), target=account, details=details)
