"""The API's part in the daily retention run (erasure/signals.py, retention_due)."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.dispatch import receiver

from heapprivacy.api.models import IdempotencyRecord
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.records.retention import RETENTION
from heapprivacy.erasure.signals import retention_due


@receiver(retention_due, dispatch_uid="api.idempotency_records")
def idempotency_records_expire(sender: object, cutoff: datetime, **kwargs: Any) -> dict[str, int]:
    """Delete idempotency records created before `cutoff`; audited with the count.

    Their `request_hash` is an unkeyed SHA-256 of a body holding the requester's email and the
    identities, and a retry of a call made that long ago is no retry.
    """
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    if deleted:
        audit_record(
            "retention.idempotency_records_deleted",
            actor=RETENTION,
            details={"records": deleted, "retention_days": settings.RETENTION_DAYS},
        )
    return {"idempotency_records": deleted}
