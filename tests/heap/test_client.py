"""Constructing a client: bad settings are refused at once, not on the first call."""

from __future__ import annotations

import pytest

from heapprivacy.heap import HeapClient, HeapValidationError

from .fakes import API_KEY, APP_ID, EU, US


def test_repr_shows_app_id_and_hosts_only():
    client = HeapClient(app_id=APP_ID, api_key=API_KEY, ingestion_base_url=EU)

    assert repr(client) == (
        f"HeapClient(app_id='{APP_ID}', deletion_base_url='{US}', ingestion_base_url='{EU}')"
    )


def test_api_key_is_optional_for_ingestion_only_use():
    assert HeapClient(app_id=APP_ID).app_id == APP_ID


def test_a_trailing_slash_on_a_base_url_is_dropped():
    client = HeapClient(app_id=APP_ID, deletion_base_url="http://127.0.0.1:8765/")

    assert client.deletion_base_url == "http://127.0.0.1:8765"


@pytest.mark.parametrize(
    "app_id", ["", "abc", "12 34", "-1", True, 12.0, None, 2**64, "\u0661\u0662"]
)
def test_it_refuses_an_app_id_that_is_not_an_environment_id(app_id):
    with pytest.raises(HeapValidationError, match="app_id"):
        HeapClient(app_id=app_id)


@pytest.mark.parametrize(
    "url",
    [
        "heapanalytics.com",
        "ftp://heapanalytics.com",
        "https://",
        "https://user:pass@heapanalytics.com",
        "https://heapanalytics.com?x=1",
        "https://heapanalytics.com#top",
        "http://[::1",
        None,
    ],
)
def test_it_refuses_a_base_url_that_is_not_a_plain_http_url(url):
    with pytest.raises(HeapValidationError, match="deletion_base_url"):
        HeapClient(app_id=APP_ID, deletion_base_url=url)


@pytest.mark.parametrize("api_key", ["key with spaces", "kéy", "key\n", 123])
def test_it_refuses_an_api_key_that_cannot_go_in_a_basic_auth_header(api_key):
    with pytest.raises(HeapValidationError, match="api_key") as caught:
        HeapClient(app_id=APP_ID, api_key=api_key)

    assert str(api_key) not in str(caught.value)


@pytest.mark.parametrize(
    "timeout", [0, -1, (1, 0), (1, 2, 3), [3, 30], "30", None, True, float("inf"), float("nan")]
)
def test_it_refuses_a_timeout_that_is_not_positive_seconds(timeout):
    with pytest.raises(HeapValidationError, match="timeout"):
        HeapClient(app_id=APP_ID, timeout=timeout)


def test_it_closes_its_session_when_used_as_a_context_manager(monkeypatch):
    closed: list[bool] = []
    with HeapClient(app_id=APP_ID) as client:
        monkeypatch.setattr(client._session, "close", lambda: closed.append(True))

    assert closed == [True]
