"""Running an officer's action: the one place a service's refusal becomes the console's answer."""

from collections.abc import Callable

from django.contrib import messages
from django.db import transaction

from heapprivacy.accounts.access import StaffRequest, access_denied
from heapprivacy.refusals import ActionRefused, ActorRefused


def action_apply(request: StaffRequest, action: Callable[[], object], success: str) -> bool:
    """Run a service atomically and say how it went; True when it applied.

    A refusal leaves nothing behind: one of who asks (four eyes) is a 403, audited; one of the
    state (a transition or a clock change that no longer applies) a message. Anything else is a
    bug, and an error page.
    """
    try:
        with transaction.atomic():
            action()
    except ActorRefused as refused:
        access_denied(request, str(refused))
    except ActionRefused as refused:
        messages.error(request, str(refused))
        return False
    messages.success(request, success)
    return True
