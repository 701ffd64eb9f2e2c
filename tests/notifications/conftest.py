"""The cast of notification tests: a Heap account, a subject who gave her email, a frozen clock.

Emails leave once the transaction that records them commits; a test's transaction never does,
so `committed()` runs what waits for the commit when its block ends, and Celery tasks run in
process (no worker: these are unit tests of the outbox, not of Celery).
"""

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.test import TestCase

from heapprivacy.erasure.models import ErasureRequest, HeapAccount
from tests.erasure.factories import make_request
from tests.support.processes import tasks_in_process

ALICE = "alice@example.com"
BASE_URL = "http://privacy.example.test"
# A Monday morning; GDPR: received 2 March 2026 → due 2 April 2026.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
URL = re.compile(re.escape(BASE_URL) + r"[^\s\"<>]+")


@pytest.fixture(autouse=True)
def _notification_settings(settings: pytest.FixtureRequest) -> None:
    settings.PUBLIC_BASE_URL = BASE_URL
    settings.DEFAULT_FROM_EMAIL = "privacy@example.test"
    settings.EMAIL_MAX_ATTEMPTS = 8
    settings.EMAIL_RETRY_BASE_DELAY = 60


@pytest.fixture(autouse=True)
def _tasks_in_process() -> Iterator[None]:
    with tasks_in_process():
        yield


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def alices_request(account: HeapAccount, clock: time_machine.Traveller) -> ErasureRequest:
    """Alice's request, received now by the officers, with her email to answer her at."""
    return make_request(account, [ALICE], requester_email=ALICE)


def committed() -> AbstractContextManager:
    """Run, on leaving the block, what the block left for its transaction's commit (emails)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def html_of(message: mail.EmailMultiAlternatives) -> str:
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def paths(message: mail.EmailMessage) -> list[str]:
    """The site paths an email's plain-text body links to, in order."""
    return [urlsplit(url).path for url in URL.findall(message.body)]
