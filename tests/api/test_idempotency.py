"""Idempotency-Key on POST /api/v1/requests: a retry gets the first answer and creates nothing."""

import pytest

from heapprivacy.api.models import IdempotencyRecord
from heapprivacy.erasure.models import ErasureRequest, Subject
from tests.api.conftest import ALL_SCOPES, Caller, client_with, fields, problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/requests"
BODY = {"subjects": [{"kind": "identity", "value": "alice@example.com"}], "heap_account": "acme"}
KEY = "5f0c8a2e-7d1b-4c4e-9a51-0c2b6f1d9e11"


def test_the_same_key_twice_creates_one_request_and_answers_the_same(
    api: Caller, account: object
) -> None:
    first = api.post(URL, BODY, **{"Idempotency-Key": KEY})
    second = api.post(URL, BODY, **{"Idempotency-Key": KEY})

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.content == first.content
    assert second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert ErasureRequest.objects.count() == 1
    assert Subject.objects.count() == 1


def test_the_replay_is_the_first_answer_even_after_the_request_moved_on(
    api: Caller, account: object
) -> None:
    first = api.post(URL, BODY, **{"Idempotency-Key": KEY})
    api.post(first.json()["links"]["approve"])

    again = api.post(URL, BODY, **{"Idempotency-Key": KEY})

    assert again.json()["state"] == "received"


def test_the_key_ignores_the_order_of_the_body_fields(api: Caller, account: object) -> None:
    api.post(URL, BODY, **{"Idempotency-Key": KEY})

    again = api.post(URL, dict(reversed(BODY.items())), **{"Idempotency-Key": KEY})

    assert again.status_code == 201
    assert ErasureRequest.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_422(api: Caller, account: object) -> None:
    api.post(URL, BODY, **{"Idempotency-Key": KEY})
    other = {**BODY, "external_ref": "something else"}

    response = api.post(URL, other, **{"Idempotency-Key": KEY})

    assert response.status_code == 422
    assert problem(response)["type"].endswith("#problem-idempotency-key-reused")
    assert ErasureRequest.objects.count() == 1


def test_without_a_key_each_call_creates_a_request(api: Caller, account: object) -> None:
    api.post(URL, BODY)
    api.post(URL, BODY)

    assert ErasureRequest.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_keys_belong_to_one_client(account: object) -> None:
    one, other = (Caller(client_with(*ALL_SCOPES)[1]) for _ in range(2))

    one.post(URL, BODY, **{"Idempotency-Key": KEY})
    other.post(URL, BODY, **{"Idempotency-Key": KEY})

    assert ErasureRequest.objects.count() == 2


def test_a_refused_create_is_not_remembered_so_the_fixed_call_may_reuse_the_key(
    api: Caller, account: object
) -> None:
    refused = api.post(URL, {**BODY, "jurisdiction": "MARS"}, **{"Idempotency-Key": KEY})
    fixed = api.post(URL, BODY, **{"Idempotency-Key": KEY})

    assert (refused.status_code, fixed.status_code) == (400, 201)
    assert ErasureRequest.objects.count() == 1


@pytest.mark.parametrize("key", ["", "with space", "x" * 256, "clé"])
def test_a_key_that_is_not_1_to_255_visible_ascii_characters_is_refused(
    api: Caller, account: object, key: str
) -> None:
    response = api.post(URL, BODY, **{"Idempotency-Key": key})

    assert response.status_code == 400
    assert "Idempotency-Key" in fields(response)
    assert not ErasureRequest.objects.exists()


def test_the_stored_answer_keeps_no_subject_values(api: Caller, account: object) -> None:
    api.post(URL, BODY, **{"Idempotency-Key": KEY})

    record = IdempotencyRecord.objects.get()
    assert "alice@example.com" not in str(record.response_body)
    assert len(record.request_hash) == 64
