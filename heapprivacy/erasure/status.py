"""Status reports for operators (`manage.py erasure_status`)."""

from heapprivacy.erasure.models import DeletionBatch, ErasureRequest
from heapprivacy.erasure.selectors import (
    counts_by_state,
    request_batches,
    subject_counts,
    subject_state_totals,
)


def state_counts() -> dict[str, dict[str, int]]:
    return {
        "requests": _counts(ErasureRequest),
        "subjects": subject_state_totals(),
        "batches": _counts(DeletionBatch),
    }


def request_status(reference: str) -> dict[str, object] | None:
    request = ErasureRequest.objects.filter(reference=reference).first()
    if request is None:
        return None
    batches = request_batches(request)
    return {
        "reference": request.reference,
        "state": request.state,
        "source": request.source,
        "jurisdiction": request.jurisdiction,
        "received_at": request.received_at,
        "verified_at": request.verified_at,
        "acknowledge_by": request.acknowledge_by,
        "due_at": request.due_at,
        "extended_due_at": request.extended_due_at,
        "latest_safe_submit": request.latest_safe_submit,
        "decided_at": request.decided_at,
        "completed_at": request.completed_at,
        "subjects": subject_counts(request),
        "batches": [
            {
                "batch": batch.pk,
                "state": batch.state,
                "size": batch.size,
                "attempts": batch.attempts,
                "deletion_request_id": batch.deletion_request_id,
                "last_status": batch.last_status,
                "completed_at": batch.completed_at,
            }
            for batch in batches
        ],
    }


def _counts(model: type[ErasureRequest] | type[DeletionBatch]) -> dict[str, int]:
    return counts_by_state(model._default_manager.all(), model.State.values)
