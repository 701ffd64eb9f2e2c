"""What the public status page may show of a request: its reference, state and dates only."""

from dataclasses import dataclass
from datetime import date, datetime

from heapprivacy.erasure.legal.deadlines import local_date
from heapprivacy.erasure.models import ErasureRequest

State = ErasureRequest.State

# A subject sees "in progress" while officers handle a batch that needs attention: an internal
# hitch, not a change in what happens to their request.
PUBLIC_STATES = {
    State.RECEIVED: ("received", "Received: waiting for you to confirm it by email"),
    State.VERIFIED: ("verified", "Confirmed: waiting for our review"),
    State.APPROVED: ("approved", "Approved: erasure scheduled"),
    State.IN_PROGRESS: ("in_progress", "In progress"),
    State.NEEDS_ATTENTION: ("in_progress", "In progress"),
    State.COMPLETED: ("completed", "Completed: your data has been erased"),
    State.REJECTED: ("rejected", "Not carried out"),
    State.CANCELLED: ("cancelled", "Cancelled"),
}
STARTED = {State.IN_PROGRESS, State.NEEDS_ATTENTION, State.COMPLETED}


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    at: datetime | None = None


@dataclass(frozen=True)
class PublicStatus:
    reference: str
    state: str  # a CSS state class: received, verified, approved, in_progress, …
    state_label: str
    steps: list[Step]
    # While the request is open: the day we must respond by, and whether it was extended.
    respond_by: date | None = None
    extended: bool = False


def public_status(reference: str) -> PublicStatus | None:
    request = ErasureRequest.objects.filter(reference=reference).first()
    if request is None:
        return None
    state, label = PUBLIC_STATES[State(request.state)]
    deadline = request.deadline if request.state in ErasureRequest.OPEN_STATES else None
    return PublicStatus(
        request.reference,
        state,
        label,
        _steps(request),
        respond_by=local_date(deadline) if deadline else None,
        extended=request.extended_due_at is not None,
    )


def _steps(request: ErasureRequest) -> list[Step]:
    steps = [
        Step("Received", True, request.received_at),
        Step("Confirmed", request.verified_at is not None, request.verified_at),
    ]
    if request.state == State.REJECTED:
        return [*steps, Step("Not carried out", True, request.decided_at)]
    if request.state == State.CANCELLED:
        return [*steps, Step("Cancelled", True)]
    approved = request.decision == ErasureRequest.Decision.APPROVED
    return [
        *steps,
        Step("Approved", approved, request.decided_at if approved else None),
        Step("Erasure in progress", request.state in STARTED),
        Step("Completed", request.state == State.COMPLETED, request.completed_at),
    ]
