"""Bulk actions on the request list: one decision applied to each selected request in turn.

Each request goes through the same service as its own page (four eyes, verification, reasons)
in its own transaction, so one refusal stops nothing else; the officer gets a result per request.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from heapprivacy.accounts.access import StaffRequest, access_denied_record
from heapprivacy.audit.actors import Actor
from heapprivacy.erasure.lifecycle.requests import request_approve, request_cancel, request_reject
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.refusals import ActionRefused, ActorRefused

BULK_LIMIT = 200  # requests per submission: the list shows 50 a page
# action: (the permission it needs, what the result page says of a request it applied to)
BULK_ACTIONS = {
    "approve": ("erasure.decide_request", "approved"),
    "reject": ("erasure.decide_request", "rejected"),
    "cancel": ("erasure.cancel_request", "cancelled"),
}


@dataclass(frozen=True)
class Outcome:
    reference: str
    applied: bool
    said: str


def bulk_apply(
    request: StaffRequest, action: str, references: list[str], data: dict
) -> list[Outcome]:
    """Apply `action` to each request named, in the order given; an outcome for each."""
    change = _change(request, action, data)
    found = ErasureRequest.objects.in_bulk(references, field_name="reference")
    outcomes = []
    for reference in references:
        if reference not in found:
            outcomes.append(Outcome(reference, False, "no such request"))
            continue
        outcomes.append(_one(request, found[reference], change, BULK_ACTIONS[action][1]))
    return outcomes


def _one(
    request: StaffRequest,
    erasure_request: ErasureRequest,
    change: Callable[[ErasureRequest], object],
    applied: str,
) -> Outcome:
    reference = erasure_request.reference
    try:
        with transaction.atomic():
            change(erasure_request)
    except ActorRefused as refused:
        access_denied_record(request, f"{reference}: {refused}")
        return Outcome(reference, False, str(refused))
    except ActionRefused as refused:
        return Outcome(reference, False, str(refused))
    return Outcome(reference, True, applied)


def _change(request: StaffRequest, action: str, data: dict) -> Callable[[ErasureRequest], object]:
    actor = Actor.for_user(request.user)
    if action == "approve":
        return lambda erasure_request: request_approve(erasure_request, actor=actor)
    if action == "reject":
        return lambda erasure_request: request_reject(
            erasure_request, actor=actor, reason_code=data["reason_code"], note=data["note"]
        )
    return lambda erasure_request: request_cancel(
        erasure_request, actor=actor, author=request.user, reason=data["reason"]
    )
