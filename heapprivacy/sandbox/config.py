"""How a sandbox is set up: address, accounts, token lifetime, deletion timing, faults."""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEMO_APP_ID = "1234567890123"
# A public demo credential, printed by the CLI: it opens nothing but a local sandbox.
DEMO_API_KEY = "sandbox-api-key"

_APP_ID = re.compile(r"[0-9]{1,32}")


def _demo_accounts() -> dict[str, str]:
    return {DEMO_APP_ID: DEMO_API_KEY}


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass
class SandboxConfig:
    """Everything a sandbox starts with; the runtime settings can change via `/_sandbox/config`.

    `accounts` maps each Main Production app_id to its api_key (hidden from `repr`). `clock` is the
    time source (seconds since the epoch); tests pass a frozen one and move it with `advance`.
    Invalid values raise `ValueError` with a message that never contains an api key.
    """

    host: str = "127.0.0.1"
    port: int = 0
    accounts: dict[str, str] = field(default_factory=_demo_accounts, repr=False)
    token_ttl: int = 300
    complete_after: float = 5.0
    complete_after_polls: int = 0
    rate_limits: bool = True
    faults: list[dict[str, Any]] = field(default_factory=list)
    max_body_bytes: int = 10 * 1024 * 1024
    clock: Callable[[], float] = field(default=time.time, repr=False)

    def __post_init__(self) -> None:
        _check(_is_whole(self.port) and 0 <= self.port <= 65535, "port should be in 0..65535")
        _check(_is_whole(self.token_ttl) and self.token_ttl >= 1, "token_ttl should be ≥ 1 second")
        _check(
            _is_number(self.complete_after) and self.complete_after >= 0,
            "complete_after should be a number of seconds ≥ 0",
        )
        _check(
            _is_whole(self.complete_after_polls) and self.complete_after_polls >= 0,
            "complete_after_polls should be a whole number ≥ 0",
        )
        _check(isinstance(self.rate_limits, bool), "rate_limits should be true or false")
        _check(
            _is_whole(self.max_body_bytes) and self.max_body_bytes >= 1,
            "max_body_bytes should be a whole number ≥ 1",
        )
        for app_id, api_key in self.accounts.items():
            check_account(app_id, api_key)


def check_account(app_id: object, api_key: object) -> None:
    """Refuse an account whose app_id is not a numeric string or whose api_key is empty."""
    _check(
        isinstance(app_id, str) and _APP_ID.fullmatch(app_id) is not None,
        "an account's app_id should be a numeric string",
    )
    _check(isinstance(api_key, str) and api_key != "", "an account's api_key should not be empty")


def parse_account(text: str) -> tuple[str, str]:
    """Split `APP_ID:API_KEY` (the CLI's `--account`) into its two parts."""
    app_id, _, api_key = text.partition(":")
    check_account(app_id, api_key)
    return app_id, api_key
