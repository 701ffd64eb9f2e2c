from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from heapprivacy.audit.actors import Actor
from heapprivacy.erasure.lifecycle.requests import request_approve, request_verify
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, HeapAccount
from heapprivacy.erasure.pipeline import packing
from tests.erasure.factories import SYSTEM, make_account, make_erased, make_request

pytestmark = pytest.mark.django_db

ACTION_BUTTONS = [
    b"Mark verified",
    b"Approve unverified",
    b"Reject",
    b"Cancel request",
    b"Add note",
]


def page(client: Client, request: ErasureRequest) -> bytes:
    response = client.get(f"/requests/{request.reference}/")
    assert response.status_code == 200
    return response.content


def test_an_officer_sees_every_action_on_a_received_request(officer_client: Client) -> None:
    content = page(officer_client, make_request(make_account()))

    assert all(button in content for button in ACTION_BUTTONS)


def test_an_auditor_sees_no_action_buttons(auditor_client: Client) -> None:
    content = page(auditor_client, make_request(make_account()))

    assert not [button for button in ACTION_BUTTONS if button in content]
    assert b'method="post" action="/requests/' not in content


def test_an_approver_sees_only_the_decisions(approver_client: Client) -> None:
    request = make_request(make_account())
    request_verify(request, actor=SYSTEM, method="email_link")

    content = page(approver_client, request)

    assert [button for button in [b"Approve erasure", *ACTION_BUTTONS] if button in content] == [
        b"Approve erasure",
        b"Reject",
    ]


def next_step(content: bytes) -> bytes:
    """The page's first card of actions, without what is folded under "More actions"."""
    start = content.index(b'aria-label="Next step"')
    return content[start : content.index(b'class="more-actions"', start)]


def test_a_received_request_leads_with_verification(officer_client: Client) -> None:
    lead = next_step(page(officer_client, make_request(make_account())))

    assert b"Mark verified" in lead
    assert b"Approve" not in lead


def test_a_verified_request_leads_with_approval_and_the_approval_asks_first(
    officer_client: Client,
) -> None:
    request = make_request(make_account())
    request_verify(request, actor=SYSTEM, method="email_link")

    lead = next_step(page(officer_client, request))

    assert b"Approve erasure" in lead
    assert b"data-confirm=" in lead


def test_irreversible_actions_ask_for_confirmation(officer_client: Client) -> None:
    content = page(officer_client, make_request(make_account())).decode()

    for action in ("approve", "reject", "cancel"):
        form = content[content.index(f'/{action}"') :].split(">", 1)[0]
        assert "data-confirm=" in form, action


def test_an_approved_request_says_when_it_goes_to_heap_and_if_it_cannot(
    officer_client: Client,
) -> None:
    account = make_account()
    request = make_request(account, ["a", "b"])
    with time_machine.travel(datetime(2026, 12, 4, 10, 0, 30, tzinfo=UTC), tick=False):
        request_approve(request, actor=SYSTEM)
        step = next_step(page(officer_client, request))

    assert b"2 subjects queued for the next batch" in step
    # BATCH_LINGER (15 minutes) after approval, at the sweep of the minute after
    assert b"expected to be sent to Heap by 4 Dec 2026, 10:16 UTC" in step

    HeapAccount.objects.filter(pk=account.pk).update(is_active=False)

    assert b"its Heap account is inactive" in next_step(page(officer_client, request))


def test_an_administrator_may_not_read_a_request(administrator_client: Client) -> None:
    request = make_request(make_account())

    assert administrator_client.get(f"/requests/{request.reference}/").status_code == 403


def test_the_timeline_lists_every_event_of_the_request_in_order(officer_client: Client) -> None:
    request = make_request(make_account())
    request_approve(request, actor=SYSTEM)

    content = page(officer_client, request).decode()

    assert content.index("request.created") < content.index("request.approved")


def test_the_creator_is_told_another_officer_must_approve(officer_client: Client, officer) -> None:
    request = make_request(make_account(), actor=Actor.for_user(officer))

    content = page(officer_client, request)

    assert b"Approve erasure" not in content
    assert b"another officer or an approver must approve it" in content
    assert b"Approve unverified" not in content


def test_an_identity_is_shown_exactly_with_invisible_characters_marked(
    officer_client: Client,
) -> None:
    request = make_request(make_account(), [" zero\u200bwidth@example.com"])

    content = page(officer_client, request).decode()

    assert "U+0020" in content  # the leading space
    assert "U+200B" in content
    assert "\u200b" not in content


def test_markup_in_an_identity_renders_inert(officer_client: Client) -> None:
    request = make_request(make_account(), ['"><img src=x onerror=alert(1)>'])

    content = page(officer_client, request)

    assert b"<img src=x" not in content
    assert b"&lt;img src=x onerror=alert(1)&gt;" in content


@pytest.mark.parametrize("subjects", [3, 300])
def test_the_page_takes_the_same_queries_whatever_the_subject_count(
    officer_client: Client, django_assert_num_queries: object, subjects: int
) -> None:
    request = make_request(make_account(), [f"user-{n}" for n in range(subjects)])

    with django_assert_num_queries(14):
        page(officer_client, request)


def test_an_unknown_reference_is_404(officer_client: Client) -> None:
    assert officer_client.get("/requests/DSR-2026-999999/").status_code == 404


def test_the_page_refuses_post(officer_client: Client) -> None:
    request = make_request(make_account())

    assert officer_client.post(f"/requests/{request.reference}/").status_code == 405


def test_subject_counts_by_state_are_shown(
    officer_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packing, "MAX_BATCH_SIZE", 1)  # a and b in batches of their own
    request = make_request(make_account(), ["a", "b"])
    make_erased(request)
    DeletionBatch.objects.filter(members__value="b").update(
        state=DeletionBatch.State.READY, submitted_at=None
    )

    content = page(officer_client, request)

    assert b"1 erased" in content
    assert b"1 batched" in content
