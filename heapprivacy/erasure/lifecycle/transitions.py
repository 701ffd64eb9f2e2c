"""The allowed state transitions of a request, applied by conditional UPDATE.

A transition that does not start from one of its allowed states changes nothing and raises, so two
officers (or a duplicated task) can never both apply it.
"""

from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.refusals import ActionRefused

State = ErasureRequest.State

REQUEST_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "verify": (frozenset({State.RECEIVED}), State.VERIFIED),
    "approve": (frozenset({State.RECEIVED, State.VERIFIED}), State.APPROVED),
    "reject": (frozenset({State.RECEIVED, State.VERIFIED}), State.REJECTED),
    "cancel": (frozenset({State.RECEIVED, State.VERIFIED, State.APPROVED}), State.CANCELLED),
    "start": (frozenset({State.APPROVED}), State.IN_PROGRESS),
    "flag": (frozenset({State.APPROVED, State.IN_PROGRESS}), State.NEEDS_ATTENTION),
    "resume": (frozenset({State.NEEDS_ATTENTION}), State.IN_PROGRESS),
    "complete": (
        frozenset({State.APPROVED, State.IN_PROGRESS, State.NEEDS_ATTENTION}),
        State.COMPLETED,
    ),
}


class InvalidTransition(ActionRefused):
    def __init__(self, request: ErasureRequest, action: str) -> None:
        super().__init__(f"{request.reference} cannot {action} from state {request.state}")


def request_transition(request: ErasureRequest, action: str, **fields: object) -> None:
    """Move `request` by `action`, setting `fields` too; raise InvalidTransition otherwise."""
    allowed_from, to_state = REQUEST_TRANSITIONS[action]
    changed = ErasureRequest.objects.filter(pk=request.pk, state__in=allowed_from).update(
        state=to_state, **fields
    )
    if changed != 1:
        request.refresh_from_db(fields=["state"])
        raise InvalidTransition(request, action)
    request.state = to_state
    for name, value in fields.items():
        setattr(request, name, value)
