"""POST /api/v1/identify: one identity per user_id; at most 10 user_ids per identity a month."""

from typing import Any

import pytest

from .conftest import APP_ID, Heap

PATH = "/api/v1/identify"


def _identify(heap: Heap, user_id: Any, identity: str, **extra: Any) -> Any:
    body = {"app_id": APP_ID, "user_id": user_id, "identity": identity, **extra}
    return heap.post(PATH, json=body)


def test_it_links_a_user_id_to_an_identity(heap: Heap) -> None:
    response = _identify(heap, "11", "alice", timestamp="2026-01-01T00:00:00+00:00")

    assert response.status_code == 200
    assert response.json() == {}
    assert heap.data()["identify"] == {"11": "alice"}
    assert heap.data()["users"] == {"alice": {}}


def test_it_drops_a_remap_of_a_linked_user_id_silently(heap: Heap) -> None:
    _identify(heap, "11", "alice")

    response = _identify(heap, 11, "mallory")

    assert response.status_code == 200
    assert heap.data()["identify"] == {"11": "alice"}


def test_it_accepts_ten_user_ids_per_identity_and_refuses_the_eleventh(heap: Heap) -> None:
    statuses = [_identify(heap, str(n), "alice").status_code for n in range(10)]

    refused = _identify(heap, "10", "alice")

    assert statuses == [200] * 10
    assert refused.status_code == 400
    assert refused.text == "postBody.identity already has 10 user_ids this month"
    assert "10" not in heap.data()["identify"]


def test_the_ten_user_id_limit_is_a_rolling_month(heap: Heap) -> None:
    for n in range(10):
        _identify(heap, str(n), "alice")

    heap.advance(30 * 24 * 3600)

    assert _identify(heap, "10", "alice").status_code == 200


def test_relinking_an_already_linked_user_id_does_not_count_against_the_limit(heap: Heap) -> None:
    for n in range(10):
        _identify(heap, str(n), "alice")

    assert _identify(heap, "3", "alice").status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"identity": "alice"}, "postBody.user_id should be a whole number"),
        ({"user_id": "x1", "identity": "alice"}, "postBody.user_id should be a whole number"),
        ({"user_id": "1"}, "postBody.identity should be a non-empty string"),
        ({"user_id": "1", "identity": "a" * 256}, "postBody.identity should be at most 255"),
        ({"user_id": "1", "identity": "a", "timestamp": "soon"}, "postBody.timestamp should"),
    ],
)
def test_it_refuses_an_invalid_identify_with_400_text(
    heap: Heap, body: dict[str, Any], message: str
) -> None:
    response = heap.post(PATH, json={"app_id": APP_ID, **body})

    assert response.status_code == 400
    assert response.text.startswith(message)
