"""GET /api/public/v0/deletion_status/<id>: pending, then complete after a delay or N polls."""

from .conftest import OTHER_API_KEY, OTHER_APP_ID, Heap


def _deletion_id(heap: Heap) -> str:
    return heap.delete_users([{"user_id": 1}]).json()["deletion_request_id"]


def test_it_answers_pending_right_after_the_request(heap: Heap) -> None:
    deletion_id = _deletion_id(heap)

    response = heap.status(deletion_id)

    assert response.status_code == 200
    assert response.json() == {"deletion_request_id": deletion_id, "status": "pending"}


def test_it_answers_complete_once_the_delay_has_passed(heap: Heap) -> None:
    deletion_id = _deletion_id(heap)

    heap.advance(4.9)
    assert heap.status(deletion_id).json()["status"] == "pending"
    heap.advance(0.1)
    assert heap.status(deletion_id).json()["status"] == "complete"


def test_it_answers_complete_at_once_with_a_zero_delay(heap: Heap) -> None:
    heap.configure(complete_after=0)

    assert heap.status(_deletion_id(heap)).json()["status"] == "complete"


def test_it_completes_on_the_nth_poll_when_configured_by_polls(heap: Heap) -> None:
    heap.configure(complete_after_polls=3)
    deletion_id = _deletion_id(heap)
    heap.advance(3600)

    statuses = [heap.status(deletion_id).json()["status"] for _ in range(4)]

    assert statuses == ["pending", "pending", "complete", "complete"]


def test_it_answers_404_for_an_unknown_id(heap: Heap) -> None:
    response = heap.status("00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert response.json() == {"error": "Not Found", "message": "Deletion request not found"}


def test_it_answers_404_for_another_accounts_deletion(heap: Heap) -> None:
    deletion_id = _deletion_id(heap)
    other_token = heap.token(OTHER_APP_ID, OTHER_API_KEY)

    assert heap.status(deletion_id, token=other_token).status_code == 404


def test_it_answers_401_without_a_token(heap: Heap) -> None:
    deletion_id = _deletion_id(heap)

    assert heap.get(f"/api/public/v0/deletion_status/{deletion_id}").status_code == 401


def test_it_answers_401_for_an_expired_token(heap: Heap) -> None:
    token = heap.token()
    deletion_id = _deletion_id(heap)
    heap.advance(300)

    assert heap.status(deletion_id, token=token).status_code == 401


def test_it_refuses_post_with_405(heap: Heap) -> None:
    response = heap.post(f"/api/public/v0/deletion_status/{_deletion_id(heap)}")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
