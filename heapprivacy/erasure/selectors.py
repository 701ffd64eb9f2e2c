"""Reads shared by services, commands and screens."""

from django.db.models import Q, QuerySet

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest


def batch_request_ids(batch: DeletionBatch) -> list[int]:
    return list(batch.members.values_list("request_id", flat=True).distinct())


def request_timeline(request: ErasureRequest) -> QuerySet[AuditEvent]:
    """Every audit event of the request: its own, and those of the batches holding its subjects."""
    batch_ids = request.subjects.filter(batch__isnull=False).values_list("batch_id", flat=True)
    batches = [str(pk) for pk in batch_ids.distinct()]
    return AuditEvent.objects.filter(
        Q(request_ref=request.reference)
        | Q(target_type="erasure.deletionbatch", target_id__in=batches)
    ).order_by("seq")
