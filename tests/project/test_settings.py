"""Start-up refuses malformed configuration and names the variable."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # each test starts Django in its own process

BAD_VALUES = [
    ("DATABASE_URL", "nonsense://"),
    ("DATABASE_URL", "postgres://localhost"),
    ("CELERY_BROKER_URL", "carrier-pigeon://loft"),
    ("CACHE_URL", "nonsense://"),
    ("DEBUG", "maybe"),
    ("SESSION_COOKIE_AGE", "eight hours"),
    ("LOG_LEVEL", "LOUD"),
    ("FIELD_ENCRYPTION_KEYS", "not-a-fernet-key"),
    ("EMAIL_URL", "pigeon://loft"),
    ("INTAKE_RATE_LIMIT", "5 per hour"),
    ("DEADLINE_TIME_ZONE", "Mars/Olympus"),
    ("OIDC_RP_SIGN_ALGO", "none"),
]
SINGLE_SIGN_ON = {
    "OIDC_RP_CLIENT_ID": "heapprivacy",
    "OIDC_RP_CLIENT_SECRET": "secret-of-the-client",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.com/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.com/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.example.com/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.example.com/jwks",
}


def start_django(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "heapprivacy.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("variable", "value"), BAD_VALUES)
def test_start_up_fails_naming_the_malformed_variable(variable: str, value: str) -> None:
    result = start_django({variable: value})

    assert result.returncode != 0
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("django.core.exceptions.ImproperlyConfigured")
    assert variable in error


def test_start_up_fails_when_the_soft_time_limit_is_over_the_hard_one() -> None:
    result = start_django({"CELERY_TASK_SOFT_TIME_LIMIT": "60", "CELERY_TASK_TIME_LIMIT": "2"})

    assert result.returncode != 0
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("django.core.exceptions.ImproperlyConfigured")
    assert "CELERY_TASK_SOFT_TIME_LIMIT (60) is over CELERY_TASK_TIME_LIMIT (2)" in error


@pytest.mark.parametrize(
    ("variable", "value"),
    [("OIDC_OP_TOKEN_ENDPOINT", ""), ("OIDC_OP_JWKS_ENDPOINT", "ftp://idp.example.com/jwks")],
)
def test_single_sign_on_refuses_a_provider_address_missing_or_malformed(
    variable: str, value: str
) -> None:
    result = start_django({**SINGLE_SIGN_ON, variable: value})

    assert result.returncode != 0
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("django.core.exceptions.ImproperlyConfigured")
    assert variable in error


def test_start_up_succeeds_with_single_sign_on_configured() -> None:
    result = start_django(SINGLE_SIGN_ON)

    assert result.returncode == 0, result.stderr


def test_start_up_succeeds_with_the_embedded_defaults() -> None:
    result = start_django({})

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("variable", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "PSEUDONYM_KEY"])
def test_production_requires_its_secrets(variable: str) -> None:
    production = {
        "DEBUG": "false",
        "SECRET_KEY": "s" * 60,
        "FIELD_ENCRYPTION_KEYS": "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
        "PSEUDONYM_KEY": "p" * 40,
    }
    del production[variable]
    env = {key: value for key, value in os.environ.items() if key != variable}

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "heapprivacy.settings", **production},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert f"{variable} is required when DEBUG is off" in result.stderr
