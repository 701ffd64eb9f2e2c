"""Validation of a Heap identifier at intake, with the limits Heap documents.

Every channel (staff, CSV, API, public form) goes through `subject_parse`, so an identity over 255
characters is refused when it arrives, not when Heap answers.
"""

from dataclasses import dataclass

from heapprivacy.erasure.models import Subject
from heapprivacy.heap.errors import HeapValidationError
from heapprivacy.heap.validation import validate_identity, validate_user_id


class InvalidSubject(ValueError):
    """A subject Heap would refuse; the message says which rule it breaks."""


@dataclass(frozen=True)
class SubjectInput:
    kind: str
    value: str


def subject_parse(kind: str, value: object) -> SubjectInput:
    """An identity is kept byte for byte; a user_id is stored as its decimal digits."""
    if isinstance(value, str) and "\x00" in value:
        raise InvalidSubject(f"{kind} contains a NUL character")
    try:
        if kind == Subject.Kind.IDENTITY:
            return SubjectInput(kind, validate_identity(value))
        if kind == Subject.Kind.USER_ID:
            return SubjectInput(kind, str(validate_user_id(value)))
    except HeapValidationError as error:
        raise InvalidSubject(str(error)) from None
    raise InvalidSubject(f"kind must be identity or user_id, not {kind!r}")
