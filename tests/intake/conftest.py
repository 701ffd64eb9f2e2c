"""The cast of intake tests: one Heap account, a fresh rate-limit cache, and a form to post.

Emails leave through the outbox once the transaction that records them commits. A test's
transaction never does, so the actions below run what waits for the commit on the spot, and
the send task runs in process (tests/notifications tests the outbox itself).
"""

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, TestCase

from tests.support.processes import tasks_in_process

FORM_URL = "/privacy/erasure/"
ALICE = "alice@example.com"
LINK = re.compile(r"http://[^\s\"<>]+/privacy/erasure/(?:verify|status)/[^\s\"<>]+")


@pytest.fixture(autouse=True)
def _intake_settings(settings: pytest.FixtureRequest) -> Iterator[None]:
    """A private in-memory cache (the rate limit's counts), emptied around every test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "intake",
        },
        "limits": settings.CACHES["limits"],
    }
    settings.INTAKE_RATE_LIMIT = "1000/h"
    settings.INTAKE_IDENTITY_FROM_EMAIL = True
    settings.INTAKE_HEAP_ACCOUNT = ""
    settings.TRUSTED_PROXY_IP_HEADER = ""
    settings.PUBLIC_BASE_URL = "http://privacy.example.test"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_in_process() -> Iterator[None]:
    with tasks_in_process():
        yield


def form_data(**fields: str) -> dict[str, str]:
    return {"email": ALICE, "jurisdiction": "GDPR-EU", "about_me": "on", "website": ""} | fields


def committed() -> AbstractContextManager:
    """Run, on leaving the block, what the block left for its transaction's commit (emails)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def submit(client: Client, **fields: str) -> HttpResponse:
    with committed():
        return client.post(FORM_URL, form_data(**fields))


def confirm(client: Client, path: str) -> HttpResponse:
    """Confirm a request from its emailed verification link."""
    with committed():
        return client.post(path)


def links(message: mail.EmailMessage) -> list[str]:
    """The site paths linked from an email's plain-text body, in order."""
    return [urlsplit(url).path for url in LINK.findall(message.body)]


def verify_path(message: mail.EmailMessage) -> str:
    return next(path for path in links(message) if "/verify/" in path)


def status_path(message: mail.EmailMessage) -> str:
    return next(path for path in links(message) if "/status/" in path)
