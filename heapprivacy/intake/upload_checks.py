"""Large CSV uploads checked by a worker, with progress, before the officer confirms them.

An upload over PREVIEW_INLINE_BYTES is stored with no preview (uploads.upload_preview) and the
console sends `check_upload`. The stored upload is the work, the message only a nudge: the
imports sweep (every minute) nudges again any upload still unchecked whose check shows no
progress for STALLED seconds, so a lost message or a dead worker delays the preview, never loses
it. A check writes nothing but the upload's record: run twice, it gives the same preview.

Progress (rows read and refused, and the rows the file is reckoned to hold from how far into it
the check has read) goes to the cache, as for imports (imports.py).
"""

import logging
import math
import time
from collections.abc import Callable
from typing import Any, BinaryIO

from django.contrib.auth import get_user_model
from django.core.cache import cache

from heapprivacy.erasure.imports.importer import ImportReport, InvalidFile
from heapprivacy.intake.uploads import (
    Upload,
    UploadNotFound,
    upload_check_file,
    upload_load,
    upload_save,
    uploads_dir,
)

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5
PROGRESS_TTL = 24 * 3600
STALLED = 60  # seconds without progress after which an unchecked upload is nudged again


def upload_check(token: str) -> None:
    """Preview the stored upload `token` and record it, or record why the file is refused."""
    try:
        upload = upload_load(token)
    except UploadNotFound:
        return  # discarded or expired meanwhile
    if upload.preview is not None or upload.error or not upload.csv_path.exists():
        return
    user = get_user_model().objects.get(pk=upload.user_id)
    _progress_write(token, {"read": 0, "refused": 0, "rows": 0})
    try:
        with upload.csv_path.open("rb") as lines:
            progress = ProgressWriter(token, lines, upload.size)
            upload.preview = upload_check_file(upload, lines, user=user, progress=progress)
    except InvalidFile as error:
        upload.error = f"{error}. Nothing can be imported from this file."
    if upload.csv_path.exists():  # not discarded while it was checked
        upload_save(upload)


def upload_check_progress(upload: Upload) -> dict[str, Any]:
    """What the bar shows: checking / done / failed, rows read, refused, and rows reckoned."""
    if upload.error:
        return {"state": "failed", "read": 0, "refused": 0, "rows": 0}
    if upload.preview is not None:
        rows = upload.preview.subjects + upload.preview.refused
        return {"state": "done", "read": rows, "refused": upload.preview.refused, "rows": rows}
    counts = cache.get(_key(upload.token)) or {"read": 0, "refused": 0, "rows": 0}
    return {"state": "checking", **{name: counts[name] for name in ("read", "refused", "rows")}}


def uploads_unchecked_nudge(run: Callable[[str], object], now: float | None = None) -> list[str]:
    """Send `run` every upload still unchecked whose check has shown nothing for STALLED s."""
    now = time.time() if now is None else now
    nudged = []
    for path in uploads_dir().glob("*.json"):
        try:
            upload = upload_load(path.stem)
            stored_at = path.stat().st_mtime
        except (UploadNotFound, FileNotFoundError):
            continue
        if upload.preview is not None or upload.error:
            continue
        seen = (cache.get(_key(upload.token)) or {}).get("at", stored_at)
        if now - max(seen, stored_at) > STALLED:
            run(upload.token)
            nudged.append(upload.token)
    return nudged


class ProgressWriter:
    """The preview's progress callback: counts and the reckoned row total into the cache."""

    def __init__(self, token: str, file: BinaryIO, size: int) -> None:
        self.token, self.file, self.size = token, file, size
        self.written_at = -math.inf

    def __call__(self, report: ImportReport) -> None:
        now = time.monotonic()
        if now - self.written_at < PROGRESS_INTERVAL:
            return
        self.written_at = now
        read = report.subjects + report.refused
        position = self.file.tell()
        rows = round(read * self.size / position) if position else read
        _progress_write(self.token, {"read": read, "refused": report.refused, "rows": rows})


def _progress_write(token: str, counts: dict[str, int]) -> None:
    try:
        cache.set(_key(token), {**counts, "at": time.time()}, PROGRESS_TTL)
    except Exception:  # a cache that is down costs the bar, not the check
        logger.warning("upload check progress not recorded: the cache failed", exc_info=True)


def _key(token: str) -> str:
    return f"intake:upload-check:{token}"
