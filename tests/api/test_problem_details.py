"""Errors are application/problem+json (RFC 9457): type, title, status, detail, instance."""

import json
from unittest import mock

import pytest

from heapprivacy.api.errors import PROBLEM_TYPES
from heapprivacy.api.parsers import MAX_BODY_BYTES
from tests.api.conftest import Caller, problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/requests"


def test_a_problem_names_its_type_by_a_uri_into_the_api_reference(api: Caller) -> None:
    body = problem(api.get(URL, {"state": "lost"}))

    assert body["type"] == "http://127.0.0.1:8000/api/docs/#problem-invalid-input"
    assert body["title"] == "The request has invalid fields"
    assert body["instance"] == URL
    assert body["errors"] == [{"field": "state", "detail": '"lost" is not a valid choice.'}]


def test_every_problem_type_is_explained_on_the_reference_page(client: object) -> None:
    page = client.get("/api/docs/").content.decode()

    for problem_type in PROBLEM_TYPES:
        assert f'id="problem-{problem_type.slug}"' in page


def test_malformed_json_is_a_400(api: Caller) -> None:
    response = api.http.post(
        URL, "{not json", content_type="application/json", headers=api.headers({})
    )

    assert response.status_code == 400
    assert problem(response)["type"].endswith("#problem-malformed-request")


@pytest.mark.parametrize("text", ["NaN", "[" * 100_000, '"\\ud800"', b"\xff\xfe".decode("latin-1")])
def test_json_python_would_accept_or_choke_on_is_a_clean_400(api: Caller, text: str) -> None:
    response = api.http.post(
        URL,
        text.encode("latin-1", "replace"),
        content_type="application/json",
        headers=api.headers({}),
    )

    assert response.status_code == 400
    problem(response)


def test_a_body_over_the_limit_is_a_413(api: Caller) -> None:
    big = json.dumps({"external_ref": "x" * MAX_BODY_BYTES})

    response = api.http.post(URL, big, content_type="application/json", headers=api.headers({}))

    assert response.status_code == 413
    assert problem(response)["type"].endswith("#problem-request-too-large")


def test_a_body_that_is_not_json_is_a_415(api: Caller) -> None:
    response = api.http.post(URL, {"a": "b"}, headers=api.headers({}))

    assert response.status_code == 415
    assert problem(response)["type"].endswith("#problem-unsupported-media-type")


def test_an_unknown_path_under_the_api_is_a_404_problem(api: Caller) -> None:
    response = api.get("/api/v1/subjects")

    assert response.status_code == 404
    assert problem(response)["detail"] == "No API operation at this path."


def test_an_unexpected_error_is_a_500_problem_that_is_logged(
    api: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    with mock.patch("heapprivacy.api.selectors.requests_listed", side_effect=RuntimeError("boom")):
        response = api.get(URL)

    assert response.status_code == 500
    body = problem(response)
    assert body["type"].endswith("#problem-server-error")
    assert "boom" not in body["detail"]
    assert "API call failed" in caplog.text


def test_answers_may_not_be_cached(api: Caller) -> None:
    response = api.get(URL)

    assert "no-store" in response["Cache-Control"]
