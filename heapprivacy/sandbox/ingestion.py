"""Heap's ingestion API: track (single and bulk), identify, add user / account properties.

No authentication: the app_id travels in the JSON body, and an unknown one is accepted silently
(doc). Success is 200 `{}`, or the text `OK` for account properties; a refusal is 400 plain text
naming the field, like Heap's `postBody.events[0].properties should be object`. (assumption: keys
Heap does not document are ignored; a body that is not a JSON object is a 400.)
"""

from collections import Counter
from collections.abc import Callable
from typing import Any

from .ratelimit import Charge, Limit
from .state import IngestAction, SandboxState
from .store import AppData, IdentifyLimitReached
from .validation import (
    exactly_one,
    parse_app_id,
    parse_identity,
    parse_list,
    parse_object,
    parse_properties,
    parse_scalar_id,
    parse_text,
    parse_timestamp,
    parse_user_id,
)
from .wire import HttpError, Request, Response, json_response, read_json, text_response

MAX_BULK_ITEMS = 1000
PER_IDENTITY = Limit(30, 30.0)
BULK_EVENTS_PER_IDENTITY = Limit(1000, 60.0)
BULK_EVENTS_PER_APP = Limit(15_000, 60.0)

Parser = Callable[[Any, str], dict[str, Any]]


def track(state: SandboxState, request: Request) -> Response:
    """One event, or `events: [...]` (≤ 1000) under one app_id; idempotency keys honoured."""
    body, app_id = _body_and_app_id(request)
    if "events" in body:
        events = _parse_bulk(body, "events", _parse_event, request)
        charges = _bulk_track_charges(app_id, events)
    else:
        request.notes["events"] = 1
        events = [_parse_event(body, "postBody")]
        charges = [Charge(("track", app_id, _who(events[0])), PER_IDENTITY)]
    _ingest(state, app_id, charges, lambda data, _: data.events_add(events))
    return json_response(200, {})


def identify(state: SandboxState, request: Request) -> Response:
    """Link a user_id to an identity; a remap of a linked user_id is dropped silently (doc)."""
    body, app_id = _body_and_app_id(request)
    user_id = parse_user_id(body.get("user_id"), "postBody.user_id")
    identity = parse_identity(body.get("identity"), "postBody.identity")
    if "timestamp" in body:
        parse_timestamp(body["timestamp"], "postBody.timestamp")
    try:
        _ingest(state, app_id, [], lambda data, now: data.identify(user_id, identity, now))
    except IdentifyLimitReached:
        raise HttpError(400, "postBody.identity already has 10 user_ids this month") from None
    return json_response(200, {})


def add_user_properties(state: SandboxState, request: Request) -> Response:
    """Properties of one identity, or `users: [{identity, properties}]` (≤ 1000)."""
    body, app_id = _body_and_app_id(request)
    if "users" in body:
        users = _parse_bulk(body, "users", _parse_user_properties, request)
        charges = []
    else:
        request.notes["users"] = 1
        users = [_parse_user_properties(body, "postBody")]
        charges = [Charge(("add_user_properties", app_id, users[0]["identity"]), PER_IDENTITY)]

    def action(data: AppData, _: float) -> None:
        for user in users:
            data.user_properties_set(user["identity"], user["properties"])

    _ingest(state, app_id, charges, action)
    return json_response(200, {})


def add_account_properties(state: SandboxState, request: Request) -> Response:
    """Properties of one account, or `accounts: [{account_id, properties}]` (≤ 1000); text OK."""
    body, app_id = _body_and_app_id(request)
    if "accounts" in body:
        accounts = _parse_bulk(body, "accounts", _parse_account_properties, request)
    else:
        request.notes["accounts"] = 1
        accounts = [_parse_account_properties(body, "postBody")]

    def action(data: AppData, _: float) -> None:
        for account in accounts:
            data.account_properties_set(account["account_id"], account["properties"])

    _ingest(state, app_id, [], action)
    return text_response(200, "OK")


def _body_and_app_id(request: Request) -> tuple[dict[str, Any], str]:
    body = parse_object(read_json(request), "postBody")
    app_id = parse_app_id(body.get("app_id"), "postBody.app_id")
    request.notes["app_id"] = app_id
    return body, app_id


def _parse_bulk(body: dict[str, Any], key: str, parse: Parser, request: Request) -> list[Any]:
    raw = body[key]
    if isinstance(raw, list):
        request.notes[key] = len(raw)
    items = parse_list(raw, f"postBody.{key}", MAX_BULK_ITEMS)
    return [parse(item, f"postBody.{key}[{index}]") for index, item in enumerate(items)]


def _parse_event(value: Any, where: str) -> dict[str, Any]:
    """event ≤ 1024, exactly one of identity (≤ 255) / user_id, and the optional fields (doc)."""
    body = parse_object(value, where)
    event: dict[str, Any] = {"event": parse_text(body.get("event"), f"{where}.event")}
    who = exactly_one(body, ("identity", "user_id"), where)
    if who == "identity":
        event["identity"] = parse_identity(body["identity"], f"{where}.identity")
    else:
        event["user_id"] = parse_user_id(body["user_id"], f"{where}.user_id")
    optional: dict[str, Callable[[Any, str], Any]] = {
        "session_id": parse_scalar_id,
        "timestamp": parse_timestamp,
        "properties": parse_properties,
        "idempotency_key": parse_text,
    }
    for key, parse in optional.items():
        if key in body:
            event[key] = parse(body[key], f"{where}.{key}")
    return event


def _parse_user_properties(value: Any, where: str) -> dict[str, Any]:
    body = parse_object(value, where)
    return {
        "identity": parse_identity(body.get("identity"), f"{where}.identity"),
        "properties": parse_properties(body.get("properties"), f"{where}.properties"),
    }


def _parse_account_properties(value: Any, where: str) -> dict[str, Any]:
    body = parse_object(value, where)
    return {
        "account_id": str(parse_scalar_id(body.get("account_id"), f"{where}.account_id")),
        "properties": parse_properties(body.get("properties"), f"{where}.properties"),
    }


def _who(event: dict[str, Any]) -> tuple[str, Any]:
    return ("identity", event["identity"]) if "identity" in event else ("user_id", event["user_id"])


def _bulk_track_charges(app_id: str, events: list[dict[str, Any]]) -> list[Charge]:
    """1000 events per minute per identity and 15,000 per minute per app_id (doc)."""
    per_identity = Counter(_who(event) for event in events)
    charges = [
        Charge(("bulk_track", app_id, who), BULK_EVENTS_PER_IDENTITY, count)
        for who, count in per_identity.items()
    ]
    return [*charges, Charge(("bulk_track", app_id), BULK_EVENTS_PER_APP, len(events))]


def _ingest(state: SandboxState, app_id: str, charges: list[Charge], action: IngestAction) -> None:
    retry_after = state.ingest(app_id, charges, action)
    if retry_after is not None:
        raise HttpError(429, "Too Many Requests", {"Retry-After": str(retry_after)})
