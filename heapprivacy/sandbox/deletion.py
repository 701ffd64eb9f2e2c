"""Heap's User Deletion API: `auth_token`, `user_deletion`, `deletion_status` (`/api/public/v0/`).

Documented: HTTP Basic `app_id:api_key` gets a bearer token (200); a deletion request is answered
201 with its id and location; its status is `pending` then `complete`; 401 for bad credentials or a
missing, expired or unknown token; 404 for an unknown id or another account's.
"""

import base64
import binascii
from typing import Any

from .state import SandboxState
from .validation import (
    exactly_one,
    invalid,
    parse_identity,
    parse_list,
    parse_object,
    parse_user_id,
)
from .wire import HttpError, Request, Response, json_response, read_json

MAX_USERS = 10_000
USER_KEYS = ("user_id", "identity")


def auth_token(state: SandboxState, request: Request) -> Response:
    """200 `{access_token, expires_in, token_type}` for the Basic credentials of an account."""
    app_id, api_key = _basic_credentials(request)
    issued = state.token_issue(app_id, api_key)
    if issued is None:
        raise HttpError(401, "Invalid app_id or api_key")
    # Noted only once known to be an app_id: a caller may swap app_id and api_key.
    request.notes["app_id"] = app_id
    token, ttl = issued
    return json_response(200, {"access_token": token, "expires_in": ttl, "token_type": "Bearer"})  # nosec B105 - a type name


def user_deletion(state: SandboxState, request: Request) -> Response:
    """201 with the new request's id and location; users Heap does not know count all the same.

    The location is built from the request's Host header, so it points back at this sandbox.
    """
    app_id = _bearer_app_id(state, request)
    users = _parse_users(read_json(request), request)
    deletion = state.deletion_create(app_id, users)
    location = f"{request.base_url}/api/public/v0/deletion_status/{deletion.id}"
    payload = {
        "deletion_request_location": location,
        "deletion_request_id": deletion.id,
        "status": deletion.status,
    }
    return json_response(201, payload)


def deletion_status(state: SandboxState, request: Request) -> Response:
    """200 `{deletion_request_id, status}`; 404 for an unknown id or another account's (doc)."""
    app_id = _bearer_app_id(state, request)
    deletion_id = request.params["deletion_request_id"]
    status = state.deletion_poll(app_id, deletion_id)
    if status is None:
        raise HttpError(404, "Deletion request not found")
    return json_response(200, {"deletion_request_id": deletion_id, "status": status})


def _basic_credentials(request: Request) -> tuple[str, str]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    app_id, colon, api_key = decoded.partition(":")
    if scheme.lower() != "basic" or not colon:
        raise HttpError(401, "Missing or malformed Basic credentials")
    return app_id, api_key


def _bearer_app_id(state: SandboxState, request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HttpError(401, "Missing or malformed bearer token")
    app_id = state.token_app_id(token.strip())
    if app_id is None:
        raise HttpError(401, "Invalid or expired token")
    request.notes["app_id"] = app_id
    return app_id


def _parse_users(body: Any, request: Request) -> list[dict[str, Any]]:
    """1 to 10,000 entries, each exactly one of user_id / identity (doc).

    (assumption: an empty list, more than 10,000, both keys or neither, any other key, and a
    user_id that is not a whole number in [0, 2^53 - 1] are each a 400 for the whole request.)
    """
    raw = parse_object(body, "postBody").get("users")
    if isinstance(raw, list):
        request.notes["users"] = len(raw)
    entries = parse_list(raw, "postBody.users", MAX_USERS)
    return [_parse_user(entry, f"postBody.users[{index}]") for index, entry in enumerate(entries)]


def _parse_user(entry: Any, where: str) -> dict[str, Any]:
    key = exactly_one(parse_object(entry, where), USER_KEYS, where)
    if len(entry) != 1:
        raise invalid(where, "should have no key but user_id or identity")
    if key == "user_id":
        return {"user_id": parse_user_id(entry[key], f"{where}.user_id")}
    return {"identity": parse_identity(entry[key], f"{where}.identity")}
