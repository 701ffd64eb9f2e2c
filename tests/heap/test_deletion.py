"""user_deletion and deletion_status: what is sent, and what the answers become."""

from __future__ import annotations

import hashlib
import json
import logging

import pytest
import requests

from heapprivacy.heap import DeletionStatus, HeapNotFound, HeapTimeout, encode_deletion_request

from .fakes import DELETION_URL, EU, REQUEST_ID, STATUS_URL, deletion_body


def status_answer(heap, status: str, request_id: str = REQUEST_ID) -> None:
    heap.get(STATUS_URL + request_id, json={"deletion_request_id": request_id, "status": status})


def test_delete_users_returns_the_receipt_with_the_hash_of_the_raw_body(heap, client, grant_token):
    grant_token()
    raw = json.dumps(deletion_body()).encode()
    heap.post(DELETION_URL, status=201, body=raw)

    receipt = client.delete_users([{"identity": "alice@example.com"}, {"user_id": 123}])

    assert receipt.deletion_request_id == REQUEST_ID
    assert receipt.status == "pending"
    assert receipt.location == STATUS_URL + REQUEST_ID
    assert receipt.http_status == 201
    assert receipt.response_sha256 == hashlib.sha256(raw).hexdigest()


def test_delete_users_sends_exactly_the_encoded_request(heap, client, grant_token, accept_deletion):
    grant_token("token-1")
    accept_deletion()
    users = [{"identity": "alice@example.com"}, {"user_id": "123"}]

    client.delete_users(users)

    request = heap.calls[-1].request
    assert request.body == encode_deletion_request(users)
    assert json.loads(request.body) == {
        "users": [{"identity": "alice@example.com"}, {"user_id": 123}]
    }
    assert request.headers["Authorization"] == "Bearer token-1"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"].startswith("heapprivacy/")


def test_every_call_carries_the_configured_timeout(heap, make_client, grant_token, accept_deletion):
    grant_token()
    accept_deletion()

    make_client(timeout=(2, 7)).delete_users([{"user_id": 1}])

    assert [call.request.req_kwargs["timeout"] for call in heap.calls] == [(2, 7), (2, 7)]


def test_delete_users_goes_to_the_deletion_base_url_not_the_ingestion_one(
    heap, make_client, grant_token, accept_deletion
):
    grant_token()
    accept_deletion()

    make_client(ingestion_base_url=EU).delete_users([{"user_id": 1}])

    assert heap.calls[-1].request.url == DELETION_URL


@pytest.mark.parametrize(
    ("status", "is_complete", "is_documented"),
    [
        ("pending", False, True),
        ("complete", True, True),
        ("COMPLETE", True, True),
        ("completed", False, False),
        ("failed", False, False),
        ("", False, False),
    ],
)
def test_a_status_is_complete_only_for_complete_in_any_case(status, is_complete, is_documented):
    answer = DeletionStatus(REQUEST_ID, status, "0" * 64)

    assert (answer.status, answer.is_complete, answer.is_documented) == (
        status,
        is_complete,
        is_documented,
    )


@pytest.mark.parametrize("status", ["pending", "complete", "Complete", "in_progress"])
def test_deletion_status_reads_heaps_answer(heap, client, grant_token, status):
    grant_token()
    status_answer(heap, status)

    answer = client.deletion_status(REQUEST_ID)

    assert (answer.deletion_request_id, answer.status) == (REQUEST_ID, status)
    assert answer.is_complete is (status.lower() == "complete")
    assert len(answer.response_sha256) == 64


def test_deletion_status_quotes_the_id_into_the_path(heap, client, grant_token):
    grant_token()
    odd_id = "a/b?c"
    heap.get(f"{STATUS_URL}a%2Fb%3Fc", json={"deletion_request_id": odd_id, "status": "pending"})

    assert client.deletion_status(odd_id).status == "pending"


def test_an_unknown_deletion_request_is_not_found(heap, client, grant_token):
    grant_token()
    heap.get(STATUS_URL + REQUEST_ID, status=404, json={"err": {"message": "Not found"}})

    with pytest.raises(HeapNotFound) as caught:
        client.deletion_status(REQUEST_ID)

    assert caught.value.message == "Not found"


def test_it_logs_method_path_status_elapsed_and_user_count(
    heap, client, grant_token, accept_deletion, caplog
):
    caplog.set_level(logging.INFO, logger="heapprivacy.heap")
    grant_token()
    accept_deletion()

    client.delete_users([{"user_id": n} for n in range(3)])

    lines = [r.getMessage() for r in caplog.records if r.name == "heapprivacy.heap"]
    assert lines[0].startswith("heap call POST /api/public/v0/auth_token status=200 elapsed_ms=")
    assert lines[1].startswith("heap call POST /api/public/v0/user_deletion status=201 elapsed_ms=")
    assert lines[1].endswith(" items=3")


def test_it_logs_a_transport_failure_by_its_kind(heap, client, grant_token, caplog):
    caplog.set_level(logging.INFO, logger="heapprivacy.heap")
    grant_token()
    heap.get(STATUS_URL + REQUEST_ID, body=requests.ConnectionError(ConnectionResetError()))

    with pytest.raises(HeapTimeout):
        client.deletion_status(REQUEST_ID)

    assert "status=ConnectionError" in caplog.records[-1].getMessage()
