"""Strict readers for settings that come from the environment.

django-environ parses URLs and lists; these wrappers refuse what it would let through silently
(an unknown database scheme, ``DEBUG=maybe``, a key that is not a Fernet key) and name the variable,
so a malformed deployment stops at start-up instead of misbehaving later.
"""

import base64
import binascii
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}
BROKER_SCHEMES = {"filesystem", "redis", "rediss", "amqp", "amqps", "pyamqp", "memory"}
RATE = re.compile(r"[1-9]\d*/[smhd]")
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def _fail(var: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{var}={value!r} is not valid: expected {expected}.")


def read_bool(var: str, default: bool) -> bool:
    raw = env.str(var, default="").strip().lower()
    if not raw:
        return default
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise _fail(var, raw, "one of true/false, yes/no, on/off, 1/0")


def read_int(var: str, default: int, minimum: int = 0) -> int:
    raw = env.str(var, default="").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _fail(var, raw, "a whole number") from None
    if value < minimum:
        raise _fail(var, raw, f"a whole number of at least {minimum}")
    return value


def read_float(var: str, default: float, minimum: float = 0) -> float:
    raw = env.str(var, default="").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise _fail(var, raw, "a number") from None
    if not value >= minimum:
        raise _fail(var, raw, f"a number of at least {minimum}")
    return value


def read_list(var: str, default: list[str]) -> list[str]:
    raw = env.str(var, default="")
    if not raw.strip():
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _scheme(var: str, url: str, allowed: set[str]) -> str:
    scheme = urlsplit(url).scheme
    if scheme not in allowed:
        raise _fail(var, url, f"a URL whose scheme is one of {', '.join(sorted(allowed))}")
    return scheme


def read_endpoint(var: str, allow_http: bool) -> str:
    """A required service address: HTTPS, or also plain HTTP where ``allow_http``."""
    url = env.str(var, default="").strip()
    if not urlsplit(url).netloc:
        raise _fail(var, url, "the address of the endpoint, such as https://idp.example.com/token")
    _scheme(var, url, {"http", "https"} if allow_http else {"https"})
    return url


def read_database(var: str, default: str) -> dict:
    url = env.str(var, default=default)
    _scheme(var, url, DATABASE_SCHEMES)
    try:
        config = env.db_url_config(url)
    except (ValueError, KeyError) as exc:
        raise _fail(var, url, f"a database URL ({exc})") from None
    if not config.get("NAME"):
        raise _fail(var, url, "a database URL that names the database")
    return config


def read_broker_url(var: str, default: str) -> str:
    url = env.str(var, default=default)
    _scheme(var, url, BROKER_SCHEMES)
    return url


def read_cache(var: str, default: str) -> dict:
    url = env.str(var, default=default)
    try:
        return env.cache_url_config(url)
    except (ImproperlyConfigured, KeyError, ValueError):
        raise _fail(var, url, "a cache URL such as locmemcache:// or redis://host:6379/1") from None


def read_rate(var: str, default: str) -> str:
    """A rate such as 5/h or 120/m (django-ratelimit and DRF read the same shape)."""
    value = env.str(var, default=default).strip()
    if not RATE.fullmatch(value):
        raise _fail(var, value, "a rate such as 5/h, 120/m, 10/s or 1000/d")
    return value


def read_email(var: str, default: str) -> dict:
    url = env.str(var, default=default)
    try:
        return env.email_url_config(url)
    except (ImproperlyConfigured, KeyError, ValueError):
        raise _fail(var, url, "an email URL such as smtp://user:password@host:587") from None


def read_fernet_keys(var: str, fallback_file: Path | None) -> list[str]:
    """Comma-separated Fernet keys; the first encrypts, all decrypt (rotation).

    Without the variable, development (``fallback_file`` given) generates one key into var/ once.
    """
    keys = read_list(var, [])
    if not keys and fallback_file is not None:
        keys = [_generated_secret(fallback_file, _new_fernet_key)]
    if not keys:
        raise ImproperlyConfigured(f"{var} is required when DEBUG is off.")
    for key in keys:
        _check_fernet_key(var, key)
    return keys


def read_secret(var: str, fallback_file: Path | None, min_length: int = 50) -> str:
    value = env.str(var, default="")
    if not value and fallback_file is not None:
        value = _generated_secret(fallback_file, lambda: secrets.token_urlsafe(64))
    if not value:
        raise ImproperlyConfigured(f"{var} is required when DEBUG is off.")
    if len(value) < min_length:
        raise ImproperlyConfigured(f"{var} is too short: use at least {min_length} characters.")
    return value


def _new_fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _check_fernet_key(var: str, key: str) -> None:
    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            f"{var} holds a value that is not a Fernet key (32 url-safe base64-encoded bytes)."
        )


def _generated_secret(path: Path, make: Callable[[], str]) -> str:
    """Read a development secret from var/, creating it (owner-only) the first time."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(make())
    return path.read_text().strip()


def read_choice(var: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.str(var, default=default).strip().upper()
    if value not in choices:
        raise _fail(var, value, f"one of {', '.join(choices)}")
    return value


def read_time_zone(var: str, default: str) -> str:
    value = env.str(var, default=default)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(var, value, "an IANA time zone such as Europe/Berlin") from None
    return value
