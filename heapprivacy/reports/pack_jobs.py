"""Auditor packs built by a worker, with progress, for the console: a million-event trail takes
longer to pack than a web request may run.

`pack_job_create` (the auditor asks) records the export.pack event, as a download does, and
stores `<token>.json` under VAR_DIR/packs (owner-only, like uploads); the caller sends
`build_pack` on commit. The stored job is the work, the message a nudge: the packs sweep (every
minute) sends again any job whose build shows no progress for STALLED seconds, and deletes packs
older than PACK_TTL. A build writes `<token>.zip.partial` and renames it whole, so a pack is
either complete or absent; built twice, it is the same pack.
"""

import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.services import audit_record
from heapprivacy.private_files import private_dir, replace_private
from heapprivacy.reports.pack import pack_write

logger = logging.getLogger(__name__)

PACK_TTL = timedelta(hours=24)
STALLED = 60  # seconds without progress after which a build is sent again
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")


class PackNotFound(LookupError):
    """No such pack for this user: never asked for, another user's, or expired."""


@dataclass
class PackJob:
    token: str
    user_id: int
    requested_at: str
    events: int  # the trail's length when asked: the bar's end
    state: str = "queued"  # queued → done | failed
    size: int = 0
    error: str = ""

    @property
    def zip_path(self) -> Path:
        return packs_dir() / f"{self.token}.zip"


def pack_job_create(*, actor: Actor, user: AbstractBaseUser) -> PackJob:
    audit_record("export.pack", actor=actor, details={"format": "zip", "built_by": "worker"})
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    job = PackJob(secrets.token_urlsafe(24), user.pk, timezone.now().isoformat(), last)
    _save(job)
    return job


def pack_job_build(token: str) -> None:
    """Build the pack of job `token` unless it is built already."""
    try:
        job = _load(token)
    except PackNotFound:
        return
    if job.state != "queued":
        return
    partial = job.zip_path.with_suffix(".zip.partial")
    _progress(token, 0)
    try:
        with partial.open("wb") as target:
            pack_write(target, progress=lambda written: _progress(token, written))
        os.replace(partial, job.zip_path)
    except Exception as error:
        partial.unlink(missing_ok=True)
        logger.exception("auditor pack %s failed", token)
        job.state, job.error = "failed", f"The pack could not be built ({type(error).__name__})."
    else:
        job.state, job.size = "done", job.zip_path.stat().st_size
    _save(job)


def pack_job_get(token: str, user: AbstractBaseUser) -> PackJob:
    job = _load(token)
    if job.user_id != user.pk:
        raise PackNotFound(token)
    if datetime.fromisoformat(job.requested_at) < timezone.now() - PACK_TTL:
        raise PackNotFound(token)
    return job


def pack_job_progress(job: PackJob) -> dict[str, Any]:
    """What the bar shows: the job's state, audit events written, and the trail's length."""
    if job.state == "queued":
        written = (cache.get(_key(job.token)) or {}).get("written", 0)
    else:
        written = job.events if job.state == "done" else 0
    return {"state": job.state, "read": min(written, job.events), "rows": job.events}


def pack_jobs_sweep(run: Callable[[str], object], now: float | None = None) -> list[str]:
    """Send `run` every queued job whose build shows nothing for STALLED s; delete old packs."""
    now = time.time() if now is None else now
    nudged = []
    for path in packs_dir().iterdir():
        try:
            age = now - path.stat().st_mtime
            if age > PACK_TTL.total_seconds():
                path.unlink()
                continue
            if path.suffix != ".json" or _load(path.stem).state != "queued":
                continue
        except (FileNotFoundError, PackNotFound):
            continue
        seen = (cache.get(_key(path.stem)) or {}).get("at", now - age)
        if now - seen > STALLED:
            run(path.stem)
            nudged.append(path.stem)
    return nudged


def packs_dir() -> Path:
    """VAR_DIR/packs, owner-only: the register in a pack names requests."""
    return private_dir("packs")


def _save(job: PackJob) -> None:
    replace_private(packs_dir() / f"{job.token}.json", json.dumps(asdict(job)).encode())


def _load(token: str) -> PackJob:
    if not TOKEN_PATTERN.fullmatch(token):
        raise PackNotFound(token)
    try:
        return PackJob(**json.loads((packs_dir() / f"{token}.json").read_bytes()))
    except FileNotFoundError:
        raise PackNotFound(token) from None


def _progress(token: str, written: int) -> None:
    try:
        cache.set(_key(token), {"written": written, "at": time.time()}, 24 * 3600)
    except Exception:  # a cache that is down costs the bar, not the pack
        logger.warning("pack progress not recorded: the cache failed", exc_info=True)


def _key(token: str) -> str:
    return f"reports:pack-progress:{token}"
