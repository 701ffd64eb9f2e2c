"""/batches/: every batch with its account, size, payload hash, state and Heap id, newest first."""

import re

import pytest
from django.test import Client

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import DeletionBatch, HeapAccount
from tests.console.factories import approved, bulk_batches, make_batch
from tests.erasure.factories import API_KEY, make_account
from tests.support.cast import ROLES

pytestmark = pytest.mark.django_db

URL = "/batches/"
BATCH_LINK = re.compile(r'href="/batches/\d+/"')


def test_it_lists_account_size_short_hash_state_request_id_and_attempts(
    officer_client: Client, account
) -> None:
    batch = make_batch(
        account,
        ["a", "b"],
        state=DeletionBatch.State.SUBMITTED,
        deletion_request_id="del-42",
        attempts=2,
    )

    page = officer_client.get(URL).content.decode()

    assert f'href="/batches/{batch.pk}/"' in page
    assert "acme" in page
    assert batch.payload_sha256[:12] in page
    assert "Submitted" in page
    assert "del-42" in page
    assert "<td>2</td>" in page


def test_it_lists_the_newest_batch_first(officer_client: Client, account) -> None:
    first = make_batch(account, ["a"])
    second = make_batch(account, ["b"])

    page = officer_client.get(URL).content.decode()

    assert page.index(f"#{second.pk}<") < page.index(f"#{first.pk}<")


def test_it_filters_by_state(officer_client: Client, account) -> None:
    ready = make_batch(account, ["a"])
    stuck = make_batch(account, ["b"], state=DeletionBatch.State.NEEDS_ATTENTION)

    page = officer_client.get(URL, {"state": "needs_attention"}).content.decode()

    assert f"/batches/{stuck.pk}/" in page
    assert f"/batches/{ready.pk}/" not in page


def test_it_filters_by_account(officer_client: Client, account) -> None:
    other = make_account("globex")
    ours = make_batch(account, ["a"])
    theirs = make_batch(other, ["b"])

    page = officer_client.get(URL, {"account": other.pk}).content.decode()

    assert f"/batches/{theirs.pk}/" in page
    assert f"/batches/{ours.pk}/" not in page


def account_choices(response: object) -> list[str]:
    return [label for _, label in response.context["form"].fields["account"].choices][1:]


def test_the_account_filter_offers_active_accounts_only(officer_client: Client, account) -> None:
    HeapAccount.objects.filter(pk=make_account("retired").pk).update(is_active=False)

    assert account_choices(officer_client.get(URL)) == [account.label]


def test_a_filter_on_a_since_deactivated_account_still_lists_its_batches(
    officer_client: Client, account
) -> None:
    retired = make_account("retired")
    theirs = make_batch(retired, ["b"])
    HeapAccount.objects.filter(pk=retired.pk).update(is_active=False)

    response = officer_client.get(URL, {"account": retired.pk})

    assert f"/batches/{theirs.pk}/" in response.content.decode()
    assert account_choices(response) == [account.label, "retired"]


@pytest.mark.parametrize(
    "query", [{"state": "deleted"}, {"account": "999"}, {"account": "x"}, {"page": "0"}]
)
def test_it_refuses_a_bad_filter_with_400_and_says_why(
    officer_client: Client, account, query: dict
) -> None:
    make_batch(account, ["a"])

    response = officer_client.get(URL, query)

    assert response.status_code == 400
    assert 'class="errors"' in response.content.decode()
    assert "/batches/1/" not in response.content.decode()


def test_it_pages_50_at_a_time_without_counting(officer_client: Client, account) -> None:
    bulk_batches(account, 51)

    first = officer_client.get(URL, {"state": "ready"}).content.decode()
    second = officer_client.get(URL, {"state": "ready", "page": 2}).content.decode()

    assert len(BATCH_LINK.findall(first)) == 50
    assert "state=ready&amp;page=2" in first
    assert len(BATCH_LINK.findall(second)) == 1
    assert "page=3" not in second


@pytest.mark.parametrize("rows", [3, 300])
def test_its_query_count_does_not_grow_with_the_rows(
    officer_client: Client, account, django_assert_num_queries, rows: int
) -> None:
    bulk_batches(account, rows)
    approved(account, ["queued@example.com"])

    # session, user, permissions (2), roles, queued per account, account choices, the page
    with django_assert_num_queries(8):
        response = officer_client.get(URL)

    assert response.status_code == 200


def test_it_shows_queued_subjects_per_account_with_a_preview_link(
    auditor_client: Client, account
) -> None:
    approved(account, ["a", "b", "c"])

    page = auditor_client.get(URL).content.decode()

    assert "<td>3</td>" in page
    assert f"/batches/preview?account={account.pk}" in page


def test_officers_get_a_release_button_per_account_with_queued_subjects(
    officer_client: Client, account
) -> None:
    approved(account, ["a"])

    page = officer_client.get(URL).content.decode()

    assert 'action="/batches/release"' in page
    assert f'name="account" value="{account.pk}"' in page


def test_there_is_no_release_button_for_an_inactive_account(
    officer_client: Client, account
) -> None:
    approved(account, ["a"])
    account.__class__.objects.filter(pk=account.pk).update(is_active=False)

    page = officer_client.get(URL).content.decode()

    assert "(inactive)" in page
    assert 'action="/batches/release"' not in page


@pytest.mark.parametrize("role", ["approver", "auditor"])
def test_those_who_may_not_release_see_no_release_button(client_as, account, role: str) -> None:
    approved(account, ["a"])

    page = client_as(role).get(URL).content.decode()

    assert "Release queued subjects now" not in page
    assert '<form method="post" action="/batches' not in page


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer", 200), ("approver", 200), ("auditor", 200), ("administrator", 403)],
)
def test_who_may_see_the_list(client_as, account, role: str, status: int) -> None:
    assert client_as(role).get(URL).status_code == status


def test_an_administrators_refusal_is_audited(administrator_client: Client) -> None:
    administrator_client.get(URL)

    event = AuditEvent.objects.get(action="access.denied")
    assert event.actor_label == "adam"
    assert event.details["reason"] == "erasure.view_deletionbatch"


def test_the_anonymous_are_sent_to_log_in(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/batches/")


def test_it_answers_only_get(officer_client: Client) -> None:
    assert officer_client.post(URL).status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_the_api_key_never_appears(client_as, account, role: str) -> None:
    make_batch(account, ["a"])
    approved(account, ["b"])

    assert API_KEY not in client_as(role).get(URL).content.decode()


def test_a_large_batch_size_carries_thousands_separators(officer_client, account) -> None:
    batch = make_batch(account, ["alice@example.com"])
    DeletionBatch.objects.filter(pk=batch.pk).update(size=10_000)

    assert "<td>10,000</td>" in officer_client.get("/batches/").content.decode()
