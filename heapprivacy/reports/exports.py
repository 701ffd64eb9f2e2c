"""Opening an export: the one path the views and `manage.py export` share.

Each export is recorded in the audit trail as export.<kind> with what it covers (filters,
format; never personal data) before its first byte is produced.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.reports import audit_exports, certificates, metrics, pack, register
from heapprivacy.reports.filters import AuditFilters, Period

FORMATS = {
    "register": ("csv",),
    "audit": ("csv", "jsonl"),
    "metrics": ("csv",),
    "pack": ("zip",),
    "certificate": ("pdf", "json"),
}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/jsonl; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


class ExportRefused(ValueError):
    pass


@dataclass
class Export:
    filename: str
    content_type: str
    # Byte chunks produced lazily (streamed), or an open file the consumer reads and closes.
    content: Iterable[bytes] | IO[bytes]


def export_open(
    kind: str,
    fmt: str,
    *,
    actor: Actor,
    period: Period | None = None,
    audit: AuditFilters | None = None,
    reference: str = "",
) -> Export:
    """Check the request, record it, and return the export ready to stream."""
    if fmt not in FORMATS.get(kind, ()):
        raise ExportRefused(f"{kind} exports as {' or '.join(FORMATS.get(kind, ()))}, not {fmt}")
    period, audit = period or Period(), audit or AuditFilters()
    if kind == "certificate":
        return _certificate(fmt, actor, reference)
    details = {"format": fmt, **(audit.details() if kind == "audit" else period.details())}
    if kind == "audit":
        details["whole_chain"] = "yes" if audit.is_whole_chain else "no"
    audit_record(f"export.{kind}", actor=actor, details=details)
    content = _content(kind, fmt, period, audit)
    return Export(export_filename(kind, fmt), CONTENT_TYPES[fmt], content)


def _content(
    kind: str, fmt: str, period: Period, audit: AuditFilters
) -> Iterable[bytes] | IO[bytes]:
    if kind == "register":
        return register.register_csv(period)
    if kind == "metrics":
        return metrics.metrics_csv(period)
    if kind == "pack":
        return pack.pack_build()
    return audit_exports.audit_jsonl(audit) if fmt == "jsonl" else audit_exports.audit_csv(audit)


def _certificate(fmt: str, actor: Actor, reference: str) -> Export:
    issued = certificates.certificate_issue(reference, actor=actor)
    content = issued.body if fmt == "json" else certificates.certificate_pdf(issued)
    audit_record(
        "export.certificate",
        actor=actor,
        request_ref=reference,
        details={"format": fmt, "sha256": issued.sha256},
    )
    return Export(f"certificate-{reference}.{fmt}", CONTENT_TYPES[fmt], [content])


def export_filename(kind: str, fmt: str) -> str:
    return f"heapprivacy-{kind}-{timezone.now():%Y-%m-%d}.{fmt}"
