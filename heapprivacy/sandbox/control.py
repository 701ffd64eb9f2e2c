"""The `/_sandbox/` endpoints: inspection, faults, settings, clock and reset — for tests and demos.

They are never subject to faults, never appear in the call log, and never show an api key or token.
"""

from typing import Any

from .clock import iso
from .config import check_account
from .faults import FaultError, parse_fault
from .state import RUNTIME_SETTINGS, SandboxState
from .validation import invalid, parse_object
from .wire import HttpError, Request, Response, json_response, read_json


def calls_show(state: SandboxState, request: Request) -> Response:
    return json_response(200, {"calls": state.calls_describe()})


def deletions_show(state: SandboxState, request: Request) -> Response:
    return json_response(200, {"deletions": state.deletions_describe()})


def data_show(state: SandboxState, request: Request) -> Response:
    """Stored events, user properties, identify links and account properties of `?app_id=`."""
    app_id = request.query.get("app_id")
    if not app_id:
        raise HttpError(400, "the app_id query parameter is required")
    return json_response(200, state.data_describe(app_id))


def faults_show(state: SandboxState, request: Request) -> Response:
    return json_response(200, {"faults": state.faults_describe()})


def faults_add(state: SandboxState, request: Request) -> Response:
    """Add one fault (a JSON object) or several (an array); all are checked before any is added."""
    body = read_json(request)
    specs = body if isinstance(body, list) else [body]
    try:
        faults = [parse_fault(spec) for spec in specs]
    except FaultError as error:
        raise HttpError(400, str(error)) from None
    state.faults_add(faults)
    return json_response(201, {"faults": state.faults_describe()})


def faults_clear(state: SandboxState, request: Request) -> Response:
    state.faults_clear()
    return json_response(200, {"faults": []})


def config_show(state: SandboxState, request: Request) -> Response:
    return json_response(200, state.settings())


def config_update(state: SandboxState, request: Request) -> Response:
    """Change `token_ttl`, `complete_after`, `complete_after_polls`, `rate_limits`, and add or
    re-key accounts with `accounts: [{"app_id": …, "api_key": …}]`."""
    body = parse_object(read_json(request), "postBody")
    unknown = set(body) - {*RUNTIME_SETTINGS, "accounts"}
    if unknown:
        raise HttpError(400, f"unknown settings: {', '.join(sorted(unknown))}")
    changes = {key: value for key, value in body.items() if key != "accounts"}
    try:
        accounts = _parse_accounts(body.get("accounts", []))
        state.reconfigure(changes, accounts)
    except ValueError as error:
        raise HttpError(400, str(error)) from None
    return json_response(200, state.settings())


def _parse_accounts(value: Any) -> dict[str, str]:
    if not isinstance(value, list):
        raise ValueError("accounts should be an array of {app_id, api_key}")
    accounts = [parse_object(item, "postBody.accounts[]") for item in value]
    for account in accounts:
        check_account(account.get("app_id"), account.get("api_key"))
    return {account["app_id"]: account["api_key"] for account in accounts}


def advance(state: SandboxState, request: Request) -> Response:
    """Move the sandbox clock `seconds` forward: tokens expire, deletions fall due."""
    seconds = parse_object(read_json(request), "postBody").get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise invalid("postBody.seconds", "should be a number ≥ 0")
    return json_response(200, {"now": iso(state.advance(seconds))})


def reset(state: SandboxState, request: Request) -> Response:
    """Forget tokens, deletions, data, calls, faults, rate windows; keep accounts and settings."""
    state.reset()
    return json_response(200, {})
