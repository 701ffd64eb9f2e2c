"""ActionRefused: a service declines what its rules forbid, with a message for whoever asked.

Services raise it, and only for what a person or a caller can cause: a state that no longer
allows the action (two officers at once, a stale page) or a rule about who may act (four eyes).
Every door turns it into the same answer: the console shows the message (a refusal of who asks
is a 403, written to the audit trail as access.denied), the API answers problem+json 409 or 403
(audited with its api.call). Anything else raised inside an action is a bug: a 500 and a logged
traceback, never a message.
"""


class ActionRefused(Exception):
    """The action does not apply to the thing as it is now (HTTP 409)."""

    status = 409


class ActorRefused(ActionRefused):
    """This actor may not take the action, whatever the state (HTTP 403)."""

    status = 403
