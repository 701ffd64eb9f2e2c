"""What a request's page leads with: the one step its state waits for, for this user."""

from django.contrib.auth.models import User

from heapprivacy.audit.actors import ActorKind
from heapprivacy.erasure.lifecycle.requests import request_creator
from heapprivacy.erasure.models import ErasureRequest

State = ErasureRequest.State
# What the pipeline or nobody does next, once the officers' part is over.
WAITING = {
    State.APPROVED: "queued",
    State.IN_PROGRESS: "in_heap",
    State.NEEDS_ATTENTION: "attention",
    State.COMPLETED: "done",
    State.REJECTED: "closed",
    State.CANCELLED: "closed",
}


def next_step(request: ErasureRequest, user: User, *, created_it: bool) -> str:
    """'verify', 'approve', 'second_officer' (the user created it: someone else approves),
    a WAITING value, or '' when this user has nothing to do on it."""
    if request.state in WAITING:
        return WAITING[State(request.state)]
    if request.state == State.RECEIVED and user.has_perm("erasure.verify_request"):
        return "verify"
    if not user.has_perm("erasure.decide_request"):
        return ""
    if created_it:
        return "second_officer"
    return "approve"


def is_creator(request: ErasureRequest, user: User) -> bool:
    return request_creator(request) == (ActorKind.USER, str(user.pk))
