from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from heapprivacy.erasure.models import ErasureRequest, HeapAccount, Subject
from heapprivacy.erasure.records.retention import pseudonym
from tests.erasure.factories import make_account, make_request

pytestmark = pytest.mark.django_db


def bulk_requests(count: int, **fields: object) -> None:
    now = timezone.now()
    ErasureRequest.objects.bulk_create(
        ErasureRequest(
            reference=f"DSR-2020-{n:06d}",
            source="csv",
            jurisdiction="GDPR-EU",
            received_at=now - timedelta(minutes=n),
            **fields,
        )
        for n in range(count)
    )


def references(response: object) -> list[str]:
    return [request.reference for request in response.context["page"].rows]


@pytest.mark.parametrize("role", ["officer", "approver", "auditor"])
def test_staff_who_read_requests_see_the_list(role_clients: dict[str, Client], role: str) -> None:
    make_request(make_account())

    response = role_clients[role].get("/requests/")

    assert response.status_code == 200
    assert len(references(response)) == 1


def test_an_administrator_does_not_read_requests(administrator_client: Client) -> None:
    assert administrator_client.get("/requests/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    assert client.get("/requests/")["Location"].startswith("/accounts/login/")


def test_the_list_refuses_post(officer_client: Client) -> None:
    assert officer_client.post("/requests/").status_code == 405


@pytest.mark.parametrize("rows", [3, 300])
def test_the_list_takes_the_same_queries_whatever_the_row_count(
    officer_client: Client, django_assert_num_queries: object, rows: int
) -> None:
    bulk_requests(rows)

    # session, user, group and user permissions, page, account choices, roles in the header
    with django_assert_num_queries(7):
        officer_client.get("/requests/?page=1")


def test_pages_hold_fifty_and_know_whether_another_follows(officer_client: Client) -> None:
    bulk_requests(51)

    first = officer_client.get("/requests/")
    second = officer_client.get("/requests/?page=2")

    assert (len(references(first)), first.context["page"].has_next) == (50, True)
    assert (len(references(second)), second.context["page"].has_next) == (1, False)


def test_it_filters_by_state_and_jurisdiction(officer_client: Client) -> None:
    bulk_requests(2)
    ErasureRequest.objects.filter(reference="DSR-2020-000001").update(
        state="approved", jurisdiction="CCPA"
    )

    response = officer_client.get("/requests/?state=approved&jurisdiction=CCPA")

    assert references(response) == ["DSR-2020-000001"]


def test_it_finds_a_request_by_the_exact_subject_value(officer_client: Client) -> None:
    account = make_account()
    make_request(account, ["Alice@Example.com "])
    wanted = make_request(account, ["alice@example.com"])

    response = officer_client.get("/requests/", {"q": "alice@example.com"})

    assert references(response) == [wanted.reference]


def test_it_finds_a_request_by_reference_and_by_requester_email(officer_client: Client) -> None:
    account = make_account()
    by_email = make_request(account, requester_email="Jo@Example.com")
    by_reference = make_request(account)

    assert references(officer_client.get("/requests/", {"q": "jo@example.com"})) == [
        by_email.reference
    ]
    assert references(officer_client.get("/requests/", {"q": by_reference.reference})) == [
        by_reference.reference
    ]


def test_it_filters_overdue_open_requests(officer_client: Client) -> None:
    bulk_requests(3)
    ErasureRequest.objects.filter(reference="DSR-2020-000002").update(
        due_at=timezone.now() - timedelta(days=1)
    )

    assert references(officer_client.get("/requests/?due=overdue")) == ["DSR-2020-000002"]


def test_it_filters_by_heap_account(officer_client: Client) -> None:
    make_request(make_account("one"))
    wanted = make_request(make_account("two", app_id="22"))

    response = officer_client.get("/requests/", {"account": Subject.objects.last().account_id})

    assert references(response) == [wanted.reference]


def test_it_filters_open_requests_at_risk(officer_client: Client) -> None:
    bulk_requests(3, due_at=timezone.now() + timedelta(days=20))
    ErasureRequest.objects.filter(reference="DSR-2020-000001").update(
        latest_safe_submit=timezone.now() + timedelta(days=1)
    )

    assert references(officer_client.get("/requests/?due=at_risk")) == ["DSR-2020-000001"]


def account_choices(response: object) -> list[str]:
    return [label for _, label in response.context["form"].fields["account"].choices][1:]


def test_the_account_filter_offers_active_accounts_only(officer_client: Client) -> None:
    make_account("active")
    HeapAccount.objects.filter(pk=make_account("retired", app_id="22").pk).update(is_active=False)

    assert account_choices(officer_client.get("/requests/")) == ["active"]


def test_a_filter_on_a_since_deactivated_account_still_lists_its_requests(
    officer_client: Client,
) -> None:
    retired = make_account("retired", app_id="22")
    wanted = make_request(retired)
    HeapAccount.objects.filter(pk=retired.pk).update(is_active=False)

    response = officer_client.get("/requests/", {"account": retired.pk})

    assert references(response) == [wanted.reference]
    assert account_choices(response) == ["retired"]


def test_a_bad_filter_value_is_ignored_not_an_error(officer_client: Client) -> None:
    bulk_requests(1)

    response = officer_client.get("/requests/?state=nonsense&page=-4")

    assert response.status_code == 200
    assert len(references(response)) == 1


def test_markup_in_a_requester_email_renders_inert(officer_client: Client) -> None:
    make_request(make_account(), requester_email="x@example.com<script>alert(1)</script>")

    content = officer_client.get("/requests/").content

    assert b"<script>alert(1)" not in content
    assert b"&lt;script&gt;" in content


def test_a_pseudonymised_request_is_still_found_by_its_email_and_subject_value(
    officer_client: Client,
) -> None:
    request = make_request(make_account(), ["gone@example.com"], requester_email="Gone@Example.com")
    ErasureRequest.objects.filter(pk=request.pk).update(
        requester_email=pseudonym("Gone@Example.com")
    )
    Subject.objects.filter(request=request).update(value=pseudonym("gone@example.com"))

    assert references(officer_client.get("/requests/", {"q": "gone@example.com"})) == [
        request.reference
    ]
    assert references(officer_client.get("/requests/", {"q": "Gone@Example.com"})) == [
        request.reference
    ]
