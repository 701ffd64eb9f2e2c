"""No api key and no token ever appears in the call log, inspection output or log lines."""

import logging

import pytest

from heapprivacy.sandbox import SandboxConfig

from .conftest import API_KEY, APP_ID, Heap


def test_a_full_run_leaves_the_key_and_tokens_nowhere(
    heap: Heap, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    tokens = [heap.token(), heap.token()]
    heap.add_fault({"path": "user_deletion", "status": 500, "times": 1})
    heap.delete_users([{"identity": "alice"}], token=tokens[0])
    deletion_id = heap.delete_users([{"identity": "alice"}], token=tokens[1]).json()[
        "deletion_request_id"
    ]
    heap.status(deletion_id, token=tokens[0])
    heap.post("/api/public/v0/auth_token", auth=(APP_ID, API_KEY + "-wrong"))
    heap.post("/api/public/v0/auth_token", auth=(API_KEY, APP_ID))
    heap.track(event="x", identity="a")

    seen = [
        heap.get(path).text
        for path in (
            "/_sandbox/calls",
            "/_sandbox/deletions",
            "/_sandbox/faults",
            "/_sandbox/config",
        )
    ]
    seen += [heap.get("/_sandbox/data", params={"app_id": APP_ID}).text, caplog.text]

    for text in seen:
        assert API_KEY not in text
        for token in tokens:
            assert token not in text


def test_the_config_repr_hides_the_api_keys() -> None:
    assert API_KEY not in repr(SandboxConfig(accounts={APP_ID: API_KEY}))


def test_a_refused_key_is_not_echoed_back(heap: Heap) -> None:
    response = heap.post("/api/public/v0/auth_token", auth=(APP_ID, "wrong-canary-key"))

    assert "wrong-canary-key" not in response.text
