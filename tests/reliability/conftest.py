"""The fault matrix (issue: reliability): the erasure pipeline against the real Heap sandbox,
with faults injected, then swept until it settles; invariants.py checks what must hold."""

import pytest

from tests.api.conftest import api, caller_with  # noqa: F401  (shared fixtures)
from tests.erasure.conftest import _quick_policy, account, heap  # noqa: F401


@pytest.fixture(autouse=True)
def _pack_at_once(settings: object) -> None:
    settings.BATCH_LINGER = 0
