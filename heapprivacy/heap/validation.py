"""Local checks of every limit Heap documents, applied before anything is sent.

Each validator takes untrusted input, raises ``HeapValidationError`` naming the field and the
rule, and returns the value exactly as it will be sent. Identities are never trimmed, lowercased
or normalised. Error messages never repeat the refused value: it may be personal data.

Lengths are counted in Unicode code points (assumption: Heap does not say how it counts; Heap's
own Ruby client counts characters the same way).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import NoReturn, TypeAlias

from .errors import HeapValidationError

MAX_IDENTITY_LENGTH = 255
MAX_TEXT_LENGTH = 1024
MAX_USER_ID = 2**53 - 1
MAX_BULK_ITEMS = 1000
MAX_DELETION_USERS = 10_000

_MAX_USER_ID_DIGITS = len(str(MAX_USER_ID))
# An int's JSON text is at most MAX_TEXT_LENGTH characters, sign included; compared, not
# str()-ed, because str() refuses ints over 4,300 digits.
_INT_TEXT_BOUNDS = (-(10 ** (MAX_TEXT_LENGTH - 1)), 10**MAX_TEXT_LENGTH)

Scalar: TypeAlias = str | int | float
PropertyValue: TypeAlias = Scalar | list[Scalar]

TRACK_FIELDS = (
    "event",
    "identity",
    "user_id",
    "properties",
    "timestamp",
    "idempotency_key",
    "session_id",
)


def validate_identity(value: object, field: str = "identity") -> str:
    """An identity: a string of 1 to 255 characters, returned unchanged."""
    text = _text(value, field)
    if not 1 <= len(text) <= MAX_IDENTITY_LENGTH:
        _refuse(field, f"must be 1 to {MAX_IDENTITY_LENGTH} characters (got {len(text)})")
    return text


def validate_user_id(value: object, field: str = "user_id") -> int:
    """A user_id: a whole number in [0, 2^53 - 1], given as an int or a string of digits 0-9."""
    if isinstance(value, str):
        return _user_id_from_digits(value, field)
    if not isinstance(value, int) or isinstance(value, bool):
        _refuse(field, "must be an int or a string of digits")
    if not 0 <= value <= MAX_USER_ID:
        _refuse(field, f"must be between 0 and {MAX_USER_ID}")
    return value


def validate_deletion_users(users: object) -> list[dict[str, str | int]]:
    """1 to 10,000 entries, each with exactly one of ``identity`` / ``user_id``.

    Returns the ``users`` list of the request body: identities as given, user_ids as ints.
    """
    entries = _items(users, "users", MAX_DELETION_USERS)
    return [_deletion_user(entry, f"users[{index}]") for index, entry in enumerate(entries)]


def validate_event_name(value: object, field: str = "event") -> str:
    """An event name: 1 to 1024 characters (assumption: an empty name is refused)."""
    return _bounded_text(value, field, MAX_TEXT_LENGTH)


def validate_properties(value: object, field: str = "properties") -> dict[str, PropertyValue]:
    """A mapping of property keys to values.

    Keys: strings of 1 to 1024 characters, never ``id`` in any case. Values: strings of at most
    1024 characters, or finite numbers, or a list of those (Heap stores a list joined with
    ``||``). Nested mappings are refused (assumption: Heap's answer is undocumented; we expect
    400). ``None`` and booleans are refused: Heap documents numbers and strings only.
    """
    mapping = _mapping(value, field)
    cleaned: dict[str, PropertyValue] = {}
    for key, item in mapping.items():
        name = _property_key(key, field)
        cleaned[name] = _property_value(item, f"{field}[{name!r}]")
    return cleaned


def validate_timestamp(value: object, field: str = "timestamp") -> str:
    """An ISO 8601 string (sent as given) or a timezone-aware datetime (sent as ISO 8601)."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            _refuse(field, "a datetime must be timezone-aware")
        return value.isoformat()
    text = _text(value, field)
    try:
        datetime.fromisoformat(text)
    except ValueError:
        _refuse(field, "must be an ISO 8601 date-time")
    return text


def validate_track_event(event: object, field: str = "") -> dict[str, object]:
    """One track event, as sent by ``track`` or inside ``track_bulk``.

    Keys: ``event`` (required), exactly one of ``identity`` / ``user_id``, and optionally
    ``properties``, ``timestamp``, ``idempotency_key``, ``session_id``. A key whose value is
    ``None`` counts as absent. The user_id is sent as a digit string, as ingestion defines it.
    """
    given = _present(event, TRACK_FIELDS, field or "event")
    payload: dict[str, object] = {
        "event": validate_event_name(given.get("event"), _join(field, "event"))
    }
    payload.update(_subject(given, field, user_id_as=str))
    payload.update(_track_options(given, field))
    return payload


def validate_identify(user_id: object, identity: object, timestamp: object) -> dict[str, object]:
    """The body fields of an identify call: both ``user_id`` and ``identity`` are required."""
    payload: dict[str, object] = {
        "user_id": str(validate_user_id(user_id)),
        "identity": validate_identity(identity),
    }
    if timestamp is not None:
        payload["timestamp"] = validate_timestamp(timestamp)
    return payload


def validate_user_properties(entry: object, field: str = "") -> dict[str, object]:
    """One ``{identity, properties}`` entry of add_user_properties (single or bulk)."""
    given = _present(entry, ("identity", "properties"), field or "user")
    return {
        "identity": validate_identity(given.get("identity"), _join(field, "identity")),
        "properties": validate_properties(given.get("properties"), _join(field, "properties")),
    }


def validate_account_properties(entry: object, field: str = "") -> dict[str, object]:
    """One ``{account_id, properties}`` entry of add_account_properties (single or bulk).

    ``account_id``: a non-empty string (assumption: Heap documents no length limit).
    """
    given = _present(entry, ("account_id", "properties"), field or "account")
    return {
        "account_id": _bounded_text(given.get("account_id"), _join(field, "account_id"), None),
        "properties": validate_properties(given.get("properties"), _join(field, "properties")),
    }


def validate_bulk(items: object, field: str) -> list[object]:
    """A list of 1 to 1000 items for a bulk ingestion call (assumption: empty is refused)."""
    return _items(items, field, MAX_BULK_ITEMS)


def validate_deletion_request_id(value: object) -> str:
    """A deletion_request_id as Heap returned it: a non-empty string."""
    return _bounded_text(value, "deletion_request_id", None)


def _refuse(field: str, rule: str) -> NoReturn:
    raise HeapValidationError(field, rule)


def _text(value: object, field: str) -> str:
    if not isinstance(value, str):
        _refuse(field, "must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        _refuse(field, "must be valid Unicode (no lone surrogates)")
    return value


def _bounded_text(value: object, field: str, limit: int | None) -> str:
    text = _text(value, field)
    if not text:
        _refuse(field, "must not be empty")
    if limit is not None and len(text) > limit:
        _refuse(field, f"must be at most {limit} characters (got {len(text)})")
    return text


def _mapping(value: object, field: str) -> Mapping[object, object]:
    if not isinstance(value, Mapping):
        _refuse(field, "must be a mapping")
    return value


def _items(value: object, field: str, limit: int) -> list[object]:
    if not isinstance(value, list | tuple):
        _refuse(field, "must be a list")
    if not 1 <= len(value) <= limit:
        _refuse(field, f"must hold 1 to {limit} items (got {len(value)})")
    return list(value)


def _present(value: object, allowed: tuple[str, ...], field: str) -> dict[object, object]:
    """The entries of a mapping with only ``allowed`` keys, a ``None`` value counting as absent."""
    mapping = _mapping(value, field)
    if any(key not in allowed for key in mapping):
        _refuse(field, f"allowed fields are {', '.join(allowed)}")
    return {key: item for key, item in mapping.items() if item is not None}


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _user_id_from_digits(value: str, field: str) -> int:
    if not (value.isascii() and value.isdigit()):
        _refuse(field, "must be a string of digits 0-9")
    significant = value.lstrip("0") or "0"
    if len(significant) > _MAX_USER_ID_DIGITS or int(significant) > MAX_USER_ID:
        _refuse(field, f"must be between 0 and {MAX_USER_ID}")
    return int(significant)


def _deletion_user(entry: object, field: str) -> dict[str, str | int]:
    given = _present(entry, ("identity", "user_id"), field)
    return _subject(given, field, user_id_as=int)


def _subject(
    given: Mapping[object, object], field: str, user_id_as: Callable[[int], str | int]
) -> dict[str, str | int]:
    if ("identity" in given) == ("user_id" in given):
        _refuse(_join(field, "identity/user_id"), "give exactly one of identity or user_id")
    if "identity" in given:
        return {"identity": validate_identity(given["identity"], _join(field, "identity"))}
    return {"user_id": user_id_as(validate_user_id(given["user_id"], _join(field, "user_id")))}


def _track_options(given: Mapping[object, object], field: str) -> dict[str, object]:
    options: dict[str, object] = {}
    if "properties" in given:
        options["properties"] = validate_properties(given["properties"], _join(field, "properties"))
    if "timestamp" in given:
        options["timestamp"] = validate_timestamp(given["timestamp"], _join(field, "timestamp"))
    for name in ("idempotency_key", "session_id"):
        if name in given:
            options[name] = _bounded_text(given[name], _join(field, name), None)
    return options


def _property_key(key: object, field: str) -> str:
    name = _bounded_text(key, f"{field} key", MAX_TEXT_LENGTH)
    if name.lower() == "id":
        _refuse(f"{field}[{name!r}]", "a property may not be named id (in any case)")
    return name


def _property_value(value: object, field: str) -> PropertyValue:
    if isinstance(value, list | tuple):
        return [_scalar(item, f"{field}[{index}]") for index, item in enumerate(value)]
    return _scalar(value, field)


def _scalar(value: object, field: str) -> Scalar:
    if isinstance(value, str):
        text = _text(value, field)
        if len(text) > MAX_TEXT_LENGTH:
            _refuse(field, f"must be at most {MAX_TEXT_LENGTH} characters (got {len(text)})")
        return text
    if isinstance(value, bool) or not isinstance(value, int | float):
        _refuse(field, "must be a string, a number, or a list of those (nested objects refused)")
    if isinstance(value, float) and not math.isfinite(value):
        _refuse(field, "must be a finite number")
    if isinstance(value, int) and not _INT_TEXT_BOUNDS[0] < value < _INT_TEXT_BOUNDS[1]:
        _refuse(field, f"must be at most {MAX_TEXT_LENGTH} characters as text")
    return value
