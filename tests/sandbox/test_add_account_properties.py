"""POST /api/add_account_properties: one account, or a bulk of up to 1000; answers text OK."""

from typing import Any

import pytest

from .conftest import APP_ID, Heap

PATH = "/api/add_account_properties"


def test_it_stores_an_accounts_properties_and_answers_text_ok(heap: Heap) -> None:
    body = {"app_id": APP_ID, "account_id": "acme", "properties": {"tier": "gold"}}

    response = heap.post(PATH, json=body)

    assert response.status_code == 200
    assert response.text == "OK"
    assert heap.data()["accounts"] == {"acme": {"tier": "gold"}}


def test_it_stores_a_bulk_of_accounts_and_merges_properties(heap: Heap) -> None:
    heap.post(PATH, json={"app_id": APP_ID, "account_id": 7, "properties": {"a": 1}})
    accounts = [{"account_id": 7, "properties": {"b": 2}}, {"account_id": "x", "properties": {}}]

    response = heap.post(PATH, json={"app_id": APP_ID, "accounts": accounts})

    assert response.text == "OK"
    assert heap.data()["accounts"] == {"7": {"a": 1, "b": 2}, "x": {}}
    assert heap.calls()[-1]["accounts"] == 2


def test_it_accepts_1000_accounts_in_bulk_and_refuses_1001(heap: Heap) -> None:
    accounts = [{"account_id": str(n), "properties": {}} for n in range(1001)]

    refused = heap.post(PATH, json={"app_id": APP_ID, "accounts": accounts})
    accepted = heap.post(PATH, json={"app_id": APP_ID, "accounts": accounts[:1000]})

    assert refused.status_code == 400
    assert accepted.status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"properties": {"a": 1}}, "postBody.account_id should be a non-empty string"),
        ({"account_id": "x", "properties": {"a": {"b": 1}}}, "postBody.properties.a should not"),
        ({"accounts": [{"account_id": "x"}]}, "postBody.accounts[0].properties should be object"),
    ],
)
def test_it_refuses_invalid_account_properties_with_400_text(
    heap: Heap, body: dict[str, Any], message: str
) -> None:
    response = heap.post(PATH, json={"app_id": APP_ID, **body})

    assert response.status_code == 400
    assert response.text.startswith(message)
