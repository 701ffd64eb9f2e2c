"""Console tests: the shared cast (tests/support/cast.py) and a Heap sandbox."""

from collections.abc import Iterator

import pytest

from heapprivacy.sandbox import Sandbox, SandboxConfig
from tests.erasure.conftest import APP_ID, HeapSandbox
from tests.erasure.factories import API_KEY


@pytest.fixture
def heap() -> Iterator[HeapSandbox]:
    """A Heap sandbox on a free local port that knows APP_ID with the canary key."""
    with Sandbox(SandboxConfig(accounts={APP_ID: API_KEY})) as sandbox:
        yield HeapSandbox(sandbox)
