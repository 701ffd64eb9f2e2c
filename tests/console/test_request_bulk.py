"""Bulk approve / reject / cancel on the request list: the same rules per request, a result each."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import ErasureRequest
from tests.erasure.factories import make_account, make_request, make_verified

pytestmark = pytest.mark.django_db
URL = "/requests/bulk"


def states(*requests: ErasureRequest) -> list[str]:
    return [ErasureRequest.objects.get(pk=request.pk).state for request in requests]


def rows(response) -> list[tuple[str, str]]:
    """(reference, result) of each row of the result page."""
    return [(outcome.reference, outcome.said) for outcome in response.context["outcomes"]]


def test_bulk_approval_approves_each_verified_request_and_refuses_the_rest_one_by_one(
    approver_client: Client,
) -> None:
    account = make_account()
    first, second = make_verified(account, ["a"]), make_verified(account, ["b"])
    unverified = make_request(account, ["c"])

    response = approver_client.post(
        URL,
        {
            "action": "approve",
            "reference": [first.reference, unverified.reference, second.reference],
        },
    )

    assert response.status_code == 200
    assert states(first, unverified, second) == ["approved", "received", "approved"]
    assert rows(response)[0] == (first.reference, "approved")
    assert "is not verified" in rows(response)[1][1]
    assert b"2 of 3 done" in response.content
    assert AuditEvent.objects.filter(action="request.approved").count() == 2


def test_bulk_approval_keeps_four_eyes_per_request_and_audits_each_refusal(
    officer: User, second_officer: User
) -> None:
    account = make_account()
    mine = make_verified(account, ["a"], actor=Actor.for_user(officer))
    theirs = make_verified(account, ["b"], actor=Actor.for_user(second_officer))
    client = Client()
    client.force_login(officer)

    response = client.post(
        URL, {"action": "approve", "reference": [mine.reference, theirs.reference]}
    )

    assert states(mine, theirs) == ["verified", "approved"]
    assert "four eyes" in rows(response)[0][1]
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.details["reason"].startswith(mine.reference)


def test_bulk_rejection_needs_a_reason_and_a_note_for_other(officer_client: Client) -> None:
    request = make_request(make_account(), ["a"])

    response = officer_client.post(
        URL,
        {"action": "reject", "reason_code": "other", "reference": [request.reference]},
        follow=True,
    )

    assert states(request) == ["received"]
    assert b"the subjects read this note" in response.content


def test_bulk_rejection_rejects_with_the_reason_and_note(officer_client: Client) -> None:
    account = make_account()
    first, second = make_request(account, ["a"]), make_request(account, ["b"])

    officer_client.post(
        URL,
        {
            "action": "reject",
            "reason_code": "other",
            "note": "We hold no data from before 2020.",
            "reference": [first.reference, second.reference],
        },
    )

    assert states(first, second) == ["rejected", "rejected"]
    assert {r.decision_note for r in ErasureRequest.objects.all()} == {
        "We hold no data from before 2020."
    }


def test_bulk_cancel_needs_a_reason(officer_client: Client) -> None:
    request = make_request(make_account(), ["a"])

    officer_client.post(URL, {"action": "cancel", "reference": [request.reference]})
    assert states(request) == ["received"]

    officer_client.post(
        URL, {"action": "cancel", "reason": "test data", "reference": [request.reference]}
    )
    assert states(request) == ["cancelled"]


def test_an_auditor_may_not_act_in_bulk(auditor_client: Client) -> None:
    request = make_verified(make_account(), ["a"])

    response = auditor_client.post(URL, {"action": "approve", "reference": [request.reference]})

    assert response.status_code == 403
    assert states(request) == ["verified"]
    assert AuditEvent.objects.filter(action="access.denied").exists()


def test_an_approver_may_not_cancel_in_bulk(approver_client: Client) -> None:
    request = make_request(make_account(), ["a"])

    response = approver_client.post(
        URL, {"action": "cancel", "reason": "x", "reference": [request.reference]}
    )

    assert response.status_code == 403
    assert states(request) == ["received"]


def test_nothing_ticked_is_said_and_the_filter_is_kept(officer_client: Client) -> None:
    response = officer_client.post(URL, {"action": "approve", "back": "?state=verified"})

    assert response.status_code == 302
    assert response["Location"] == "/requests/?state=verified"


def test_an_unknown_reference_is_reported_and_the_rest_applied(approver_client: Client) -> None:
    request = make_verified(make_account(), ["a"])

    response = approver_client.post(
        URL, {"action": "approve", "reference": ["DSR-2026-999999", request.reference]}
    )

    assert rows(response) == [
        ("DSR-2026-999999", "no such request"),
        (request.reference, "approved"),
    ]


def test_the_list_offers_bulk_actions_with_a_confirmation_to_who_may_decide(
    officer_client: Client, auditor_client: Client
) -> None:
    make_request(make_account(), ["a"])

    officer_page = officer_client.get("/requests/").content.decode()
    auditor_page = auditor_client.get("/requests/").content.decode()

    assert 'action="/requests/bulk"' in officer_page
    assert 'name="reference"' in officer_page
    assert "data-confirm=" in officer_page
    assert 'action="/requests/bulk"' not in auditor_page
