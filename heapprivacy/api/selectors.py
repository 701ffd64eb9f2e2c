"""Reads behind the API: each a fixed number of queries whatever the row count."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest
from heapprivacy.erasure.selectors import request_batches, subject_counts


def requests_listed(filters: dict[str, Any]) -> QuerySet[ErasureRequest]:
    requests = ErasureRequest.objects.all()
    for field in ("state", "jurisdiction", "external_ref"):
        if field in filters:
            requests = requests.filter(**{field: filters[field]})
    if "received_after" in filters:
        requests = requests.filter(received_at__gte=filters["received_after"])
    if "received_before" in filters:
        requests = requests.filter(received_at__lt=filters["received_before"])
    return requests


def request_found(reference: str) -> ErasureRequest:
    """The request, or Http404."""
    return get_object_or_404(requests_listed({}), reference=reference)


def request_detail(reference: str) -> ErasureRequest:
    """The request with subject_counts (every state) and batches: 3 queries."""
    erasure_request = request_found(reference)
    erasure_request.subject_counts = subject_counts(erasure_request)
    erasure_request.batches = list(request_batches(erasure_request).select_related("account"))
    return erasure_request


def batches_listed(filters: dict[str, Any]) -> QuerySet[DeletionBatch]:
    batches = DeletionBatch.objects.select_related("account")
    if "state" in filters:
        batches = batches.filter(state=filters["state"])
    if "heap_account" in filters:
        batches = batches.filter(account__label=filters["heap_account"])
    return batches


def audit_events_listed(filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if "request_ref" in filters:
        events = events.filter(request_ref=filters["request_ref"])
    if "action" in filters:
        events = events.filter(action=filters["action"])
    if "from_seq" in filters:
        events = events.filter(seq__gte=filters["from_seq"])
    return events
