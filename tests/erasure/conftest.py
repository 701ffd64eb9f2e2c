"""The erasure pipeline against a real Heap sandbox over HTTP, in process on a free port."""

from collections import Counter
from collections.abc import Iterator

import pytest
import requests
from celery.signals import before_task_publish
from django.core.cache import cache

from heapprivacy.celery import app as celery_app
from heapprivacy.erasure.models import HeapAccount
from heapprivacy.sandbox import Sandbox, SandboxConfig
from tests.erasure.factories import API_KEY, make_account

APP_ID = "1234567890123"


class HeapSandbox:
    """A running sandbox and the few control calls tests need."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.url = sandbox.url

    def fault(self, **fault: object) -> None:
        response = requests.post(f"{self.url}/_sandbox/faults", json=fault, timeout=5)
        assert response.status_code in (200, 201), response.text

    def advance(self, seconds: float) -> None:
        requests.post(f"{self.url}/_sandbox/advance", json={"seconds": seconds}, timeout=5)

    def call_log(self) -> list[dict]:
        return requests.get(f"{self.url}/_sandbox/calls", timeout=5).json()["calls"]

    def calls(self) -> Counter:
        return Counter(call["name"] for call in self.call_log())

    def deletions(self) -> list[dict]:
        return requests.get(f"{self.url}/_sandbox/deletions", timeout=5).json()["deletions"]


@pytest.fixture
def heap() -> Iterator[HeapSandbox]:
    cache.clear()  # a fresh sandbox: no token an earlier one issued is left in a shared cache
    config = SandboxConfig(accounts={APP_ID: API_KEY}, complete_after=0)
    with Sandbox(config) as sandbox:
        yield HeapSandbox(sandbox)


@pytest.fixture
def account(request: pytest.FixtureRequest, db: None) -> HeapAccount:
    """An account on a running sandbox; in a test marked `no_heap`, the shared idle one (port 9
    discards: a Heap call the test did not expect fails instead of reaching anything)."""
    if request.node.get_closest_marker("no_heap"):
        return request.getfixturevalue("idle_account")
    heap = request.getfixturevalue("heap")
    return make_account(base_url=heap.url, app_id=APP_ID)


@pytest.fixture(autouse=True)
def _quick_policy(settings: object) -> None:
    settings.POLL_FIRST_DELAY = 0
    settings.HEAP_RETRY_BASE_DELAY = 0
    settings.HEAP_READ_TIMEOUT = 1


@pytest.fixture
def published() -> Iterator[list[tuple[dict, object]]]:
    """(headers, body) of every Celery message published during the test, as sent."""
    messages: list[tuple[dict, object]] = []

    def capture(body: object, headers: dict, **kwargs: object) -> None:
        messages.append((headers, body))

    before_task_publish.connect(capture, weak=False)
    yield messages
    before_task_publish.disconnect(capture)
    if messages:
        celery_app.control.purge()  # no worker will ever run them: leave the broker empty
