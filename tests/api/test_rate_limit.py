"""The per-client rate limit (API_RATE_LIMIT): over it, 429 with Retry-After."""

import pytest

from tests.api.conftest import Caller, client_with, problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/batches"


@pytest.fixture(autouse=True)
def _three_a_minute(settings: object) -> None:
    settings.API_RATE_LIMIT = "3/m"


def test_the_call_over_the_limit_is_a_429_with_retry_after(api: Caller) -> None:
    answers = [api.get(URL).status_code for _ in range(3)]

    response = api.get(URL)

    assert answers == [200, 200, 200]
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert problem(response)["type"].endswith("#problem-rate-limited")


def test_the_limit_is_per_client() -> None:
    busy, quiet = (Caller(client_with("batches:read")[1]) for _ in range(2))
    for _ in range(3):
        busy.get(URL)

    assert busy.get(URL).status_code == 429
    assert quiet.get(URL).status_code == 200


def test_calls_are_allowed_again_once_the_window_has_passed(
    api: Caller, time_machine: object
) -> None:
    time_machine.move_to("2026-03-01T12:00:00Z", tick=False)
    for _ in range(3):
        api.get(URL)
    assert api.get(URL).status_code == 429

    time_machine.move_to("2026-03-01T12:01:01Z", tick=False)

    assert api.get(URL).status_code == 200


def test_retry_after_says_when_the_oldest_counted_call_leaves_the_window(
    api: Caller, time_machine: object
) -> None:
    time_machine.move_to("2026-03-01T12:00:00Z", tick=False)
    api.get(URL)
    time_machine.move_to("2026-03-01T12:00:20Z", tick=False)
    api.get(URL)
    api.get(URL)

    response = api.get(URL)

    assert response["Retry-After"] == "40"


def test_refused_calls_do_not_count(caller_with: object) -> None:
    caller = caller_with("audit:read")
    for _ in range(5):
        assert caller.get(URL).status_code == 403

    assert caller.get("/api/v1/audit").status_code == 200
