"""Validation of Heap request fields: the documented limits, and the ones we assume.

Every parser returns the normalised value or raises `HttpError(400, …)` whose message names the
field the way Heap's own 400s do (`postBody.events[0].properties should be object`). Identities are
kept byte for byte: never trimmed or lowercased.
"""

import re
from datetime import datetime
from typing import Any

from .wire import HttpError

MAX_USER_ID = 2**53 - 1
MAX_IDENTITY_CHARS = 255
MAX_TEXT_CHARS = 1024
ARRAY_SEPARATOR = "||"

PropertyValue = str | int | float

_DIGITS = re.compile(r"[0-9]{1,32}")


def invalid(where: str, rule: str) -> HttpError:
    return HttpError(400, f"{where} {rule}")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(where, "should be object")
    return value


def parse_list(value: Any, where: str, max_items: int) -> list[Any]:
    """A non-empty array of at most `max_items` (assumption: an empty one is a 400)."""
    if not isinstance(value, list) or not value:
        raise invalid(where, "should be a non-empty array")
    if len(value) > max_items:
        raise invalid(where, f"should have at most {max_items} items")
    return value


def parse_user_id(value: Any, where: str) -> int:
    """A whole number in [0, 2^53 - 1], sent as a JSON number or a digit string (both accepted)."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise invalid(where, "should be a whole number or a string of digits")
    if not 0 <= number <= MAX_USER_ID:
        raise invalid(where, f"should be between 0 and {MAX_USER_ID}")
    return number


def parse_text(value: Any, where: str, max_chars: int = MAX_TEXT_CHARS) -> str:
    """A non-empty string of at most `max_chars` characters."""
    if not isinstance(value, str) or value == "":
        raise invalid(where, "should be a non-empty string")
    if len(value) > max_chars:
        raise invalid(where, f"should be at most {max_chars} characters")
    return value


def parse_identity(value: Any, where: str) -> str:
    return parse_text(value, where, MAX_IDENTITY_CHARS)


def parse_app_id(value: Any, where: str) -> str:
    """The environment id; a string (as Heap asks) or a whole number, kept as a string.

    (assumption: any non-empty id is accepted — an unknown app_id is accepted silently (doc).)
    """
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    return parse_text(value, where, MAX_IDENTITY_CHARS)


def parse_timestamp(value: Any, where: str) -> str:
    """An ISO 8601 string, kept as sent. (assumption: epoch numbers are refused.)"""
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return value
    raise invalid(where, "should be an ISO 8601 timestamp")


def parse_scalar_id(value: Any, where: str) -> str | int:
    """A session_id or account_id: a non-empty string or a number (assumption: no other limits)."""
    if _is_number(value):
        return value
    return parse_text(value, where)


def parse_properties(value: Any, where: str) -> dict[str, PropertyValue]:
    """Keys and values as documented: strings or numbers, at most 1024 characters each.

    An array is stored joined with `||` and cut at 1024 characters (doc). A key named `id` in any
    case is refused (doc). (assumption: nested objects, booleans and null are refused with a 400.)
    """
    properties = parse_object(value, where)
    return {
        _parse_property_key(key, where): _parse_property_value(item, f"{where}.{key}")
        for key, item in properties.items()
    }


def _parse_property_key(key: str, where: str) -> str:
    if key == "" or len(key) > MAX_TEXT_CHARS:
        raise invalid(where, f"should have keys of 1 to {MAX_TEXT_CHARS} characters")
    if key.lower() == "id":
        raise invalid(f"{where}.{key}", "is a reserved property name")
    return key


def _parse_property_value(value: Any, where: str) -> PropertyValue:
    if isinstance(value, list):
        joined = ARRAY_SEPARATOR.join(_parse_array_item(item, where) for item in value)
        return joined[:MAX_TEXT_CHARS]
    if isinstance(value, dict):
        raise invalid(where, "should not be a nested object: flatten it")
    if _is_number(value):
        return value
    if isinstance(value, str):
        if len(value) > MAX_TEXT_CHARS:
            raise invalid(where, f"should be at most {MAX_TEXT_CHARS} characters")
        return value
    raise invalid(where, "should be a string, a number or an array of them")


def _parse_array_item(item: Any, where: str) -> str:
    if isinstance(item, str) or _is_number(item):
        return str(item)
    raise invalid(where, "should hold only strings and numbers")


def exactly_one(entry: dict[str, Any], keys: tuple[str, str], where: str) -> str:
    """The one key of `keys` present in `entry`; neither or both is a 400."""
    present = [key for key in keys if key in entry]
    if len(present) != 1:
        raise invalid(where, f"should have exactly one of {' or '.join(keys)}")
    return present[0]
