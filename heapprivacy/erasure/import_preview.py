"""A CSV import previewed before it is confirmed, and the uploads that wait in between.

`requests_preview` runs the importer's own reading and checks (`importer.rows_import`) and
writes nothing, so what the preview promises is what the import does.

The console stores an upload under VAR_DIR/uploads as `<token>.csv`, owner-only (0600, in a
0700 directory), beside `<token>.json`: who uploaded it, for which Heap account, and its preview.
Only that user may see, confirm or discard it; anyone else gets "not found". The CSV holds
personal data, so it is deleted when the import is confirmed (whatever the outcome) or
discarded, and any upload left waiting longer than UPLOAD_TTL is deleted at the next upload.
"""

import json
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.importer import (
    ImportReport,
    InvalidFile,
    RowError,
    RowWarning,
    requests_import,
    rows_import,
)
from heapprivacy.erasure.models import HeapAccount

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PREVIEW_KEEP = 200  # refused rows, warnings and references listed; the counts are complete
UPLOAD_TTL = timedelta(hours=24)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")


class UploadNotFound(LookupError):
    """No such upload for this user: never stored, another user's, expired, or already used."""


class UploadTooLarge(ValueError):
    pass


def requests_preview(
    lines: Iterable[bytes | str], *, account: HeapAccount, keep: int | None = PREVIEW_KEEP
) -> ImportReport:
    """What requests_import would do with `lines`, found without writing anything.

    Raises InvalidFile, as the import would, when the file cannot be read to its end.
    """
    report = ImportReport(keep=keep)
    rows_import(
        lines,
        account=account,
        report=report,
        # Any number unique to each request will do: its first line.
        create_requests=lambda new: [request.row.line for request in new],
        add_subjects=lambda rows, hashes, owners: None,
    )
    return report


@dataclass
class Upload:
    token: str
    user_id: int
    account_id: int
    name: str
    size: int
    uploaded_at: str
    preview: ImportReport

    @property
    def csv_path(self) -> Path:
        return uploads_dir() / f"{self.token}.csv"

    @property
    def account(self) -> HeapAccount:
        return HeapAccount.objects.get(pk=self.account_id)


def upload_preview(file: UploadedFile, *, account: HeapAccount, user: AbstractBaseUser) -> Upload:
    """Store `file` for `user` and preview its import; InvalidFile keeps nothing.

    Audited as import.previewed with counts only: no value, no message (a message may quote a
    cell of the file, and the audit trail can never be erased).
    """
    uploads_sweep()
    token = secrets.token_urlsafe(24)
    path = uploads_dir() / f"{token}.csv"
    try:
        size = _store(file, path)
        with path.open("rb") as lines:
            preview = requests_preview(lines, account=account)
    except InvalidFile:
        path.unlink(missing_ok=True)
        _audit_previewed(token, account, user, file_refused=True)
        raise
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    upload = Upload(
        token=token,
        user_id=user.pk,
        account_id=account.pk,
        name=Path(file.name or "upload.csv").name[:100],
        size=size,
        uploaded_at=timezone.now().isoformat(),
        preview=preview,
    )
    _write_private(uploads_dir() / f"{token}.json", json.dumps(asdict(upload)).encode())
    _audit_previewed(token, account, user, file_refused=False, preview=preview, size=size)
    return upload


def upload_get(token: str, user: AbstractBaseUser) -> Upload:
    """The upload `token` of `user`, or UploadNotFound."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise UploadNotFound(token)
    try:
        data = json.loads((uploads_dir() / f"{token}.json").read_bytes())
    except FileNotFoundError:
        raise UploadNotFound(token) from None
    upload = _upload_from(data)
    if upload.user_id != user.pk or not upload.csv_path.exists():
        raise UploadNotFound(token)
    if datetime.fromisoformat(upload.uploaded_at) < timezone.now() - UPLOAD_TTL:
        _remove(token)
        raise UploadNotFound(token)
    return upload


def upload_confirm(upload: Upload, *, user: AbstractBaseUser) -> ImportReport:
    """Import the stored file once, then delete it, whatever the outcome.

    Claimed by renaming the file: a second confirmation (a double click, another tab) finds
    nothing to rename and gets UploadNotFound instead of importing the file twice.
    """
    importing = upload.csv_path.with_suffix(".importing")
    try:
        upload.csv_path.rename(importing)
    except FileNotFoundError:
        raise UploadNotFound(upload.token) from None
    actor = Actor.for_user(user)
    account = upload.account
    try:
        with importing.open("rb") as lines, transaction.atomic():
            # Never approved here: the officer who imports is the creator, and the creator of a
            # request may not approve it (four eyes). Another officer decides each request.
            report = requests_import(lines, account=account, actor=actor, keep=PREVIEW_KEEP)
            audit_record(
                "import.confirmed",
                actor=actor,
                target=account,
                details={"upload": upload.token, **_counts(report)},
            )
    finally:
        _remove(upload.token)
    return report


def upload_discard(upload: Upload, *, user: AbstractBaseUser) -> None:
    _remove(upload.token)
    audit_record(
        "import.discarded",
        actor=Actor.for_user(user),
        target=upload.account,
        details={"upload": upload.token},
    )


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
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


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


def _write_private(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)


def _remove(token: str) -> None:
    for suffix in (".csv", ".importing", ".json"):
        (uploads_dir() / f"{token}{suffix}").unlink(missing_ok=True)


def _upload_from(data: dict[str, Any]) -> Upload:
    preview = data.pop("preview")
    preview["errors"] = [RowError(**error) for error in preview["errors"]]
    preview["warnings"] = [RowWarning(**warning) for warning in preview["warnings"]]
    return Upload(**data, preview=ImportReport(**preview))


def _counts(report: ImportReport) -> dict[str, int]:
    return {
        "rows": report.subjects + report.refused,
        "requests": report.requests,
        "subjects": report.subjects,
        "refused": report.refused,
        "duplicates": report.duplicates,
        "in_open_requests": report.in_open_requests,
        "warnings": report.warned,
    }


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
        details |= {"bytes": size, **_counts(preview)}
    audit_record("import.previewed", actor=Actor.for_user(user), target=account, details=details)
