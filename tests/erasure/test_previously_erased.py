"""A new subject that Heap has erased before is flagged for the officer, on every intake path."""

import pytest
from django.test import Client

from heapprivacy.accounts.roles import Role
from heapprivacy.accounts.services import user_create
from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.imports.importer import requests_import
from heapprivacy.erasure.lifecycle import requests as erasure_requests
from heapprivacy.erasure.lifecycle.requests import request_create, subjects_add
from heapprivacy.erasure.lifecycle.subjects import subject_parse
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, HeapAccount, Subject
from heapprivacy.erasure.pipeline.batches import batches_release
from heapprivacy.erasure.records.retention import open_subjects_erased_by
from heapprivacy.pseudonyms import subject_pseudonym
from tests.erasure.factories import SYSTEM, make_account, make_erased, make_request

pytestmark = [pytest.mark.django_db, pytest.mark.no_heap]


def erased(account: HeapAccount, *identities: str) -> ErasureRequest:
    """A request whose subjects Heap has confirmed erased (the pipeline's end state)."""
    return make_erased(make_request(account, list(identities)))


def flags(request: ErasureRequest) -> dict[str, bool]:
    return dict(request.subjects.values_list("value", "previously_erased"))


def test_every_new_subject_gets_its_keyed_hash(account: HeapAccount) -> None:
    request = make_request(account, ["alice@example.com", " Alice@example.com"])

    assert dict(request.subjects.values_list("value", "value_hmac")) == {
        "alice@example.com": subject_pseudonym("alice@example.com"),
        " Alice@example.com": subject_pseudonym(" Alice@example.com"),
    }


def test_a_subject_heap_erased_before_is_flagged_in_any_account(account: HeapAccount) -> None:
    erased(account, "alice@example.com")

    again = make_request(make_account("other"), ["alice@example.com", "bob@example.com"])

    assert flags(again) == {"alice@example.com": True, "bob@example.com": False}


def test_the_same_value_not_yet_erased_is_not_flagged(account: HeapAccount) -> None:
    make_request(account, ["alice@example.com"])  # pending
    rejected = make_request(account, ["bob@example.com"])
    rejected.subjects.update(state=Subject.State.REJECTED)

    again = make_request(account, ["alice@example.com", "bob@example.com"])

    assert flags(again) == {"alice@example.com": False, "bob@example.com": False}


def test_the_value_must_match_exactly_and_in_kind(account: HeapAccount) -> None:
    erased(account, "12345", "alice@example.com")

    again = request_create(
        source=ErasureRequest.Source.STAFF,
        jurisdiction="GDPR-EU",
        account=account,
        subjects=[
            subject_parse("user_id", "12345"),
            subject_parse("identity", "Alice@example.com"),
        ],
        actor=SYSTEM,
    )

    assert not again.subjects.filter(previously_erased=True).exists()


def test_the_request_gets_one_event_counting_its_flagged_subjects(account: HeapAccount) -> None:
    erased(account, "alice@example.com", "alice-phone")

    again = make_request(account, ["alice@example.com", "alice-phone", "new"])

    [event] = AuditEvent.objects.filter(action="request.previously_erased")
    assert (event.request_ref, event.details) == (again.reference, {"subjects": 2})
    assert "alice" not in str(event.to_chain_dict())


def test_a_request_with_nothing_erased_before_gets_no_event(account: HeapAccount) -> None:
    make_request(account, ["alice@example.com"])

    assert not AuditEvent.objects.filter(action="request.previously_erased").exists()


def test_subjects_added_over_many_chunks_are_all_checked(
    account: HeapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(erasure_requests, "SUBJECT_CHUNK", 2)
    erased(account, "a", "c", "e")
    request = make_request(account, [])

    added = subjects_add(request, account, [subject_parse("identity", v) for v in "abcdef"])

    assert added == 6
    assert flags(request) == {v: v in "ace" for v in "abcdef"}
    [event] = AuditEvent.objects.filter(action="request.previously_erased")
    assert event.details == {"subjects": 3}


def test_a_csv_import_flags_its_subjects_too(account: HeapAccount) -> None:
    erased(account, "alice@example.com")

    requests_import(
        ["identity,external_ref\n", "alice@example.com,T-1\n", "bob@example.com,T-1\n"],
        account=account,
        actor=SYSTEM,
    )

    imported = ErasureRequest.objects.get(external_ref="T-1")
    assert flags(imported) == {"alice@example.com": True, "bob@example.com": False}
    assert imported.subjects.get(value="bob@example.com").value_hmac == subject_pseudonym(
        "bob@example.com"
    )


def test_a_pseudonymised_erased_subject_still_counts(account: HeapAccount) -> None:
    old = erased(account, "alice@example.com")
    old.subjects.update(value="hmac:" + subject_pseudonym("alice@example.com"))

    again = make_request(account, ["alice@example.com"])

    assert flags(again) == {"alice@example.com": True}


# --- The console ----------------------------------------------------------------------------


@pytest.fixture
def officer_client(db: None) -> Client:
    client = Client()
    client.force_login(user_create("olivia", "a long enough password", [Role.OFFICER]))
    return client


def test_the_request_page_marks_previously_erased_subjects(
    account: HeapAccount, officer_client: Client
) -> None:
    erased(account, "alice@example.com")
    again = make_request(account, ["alice@example.com", "bob@example.com"])

    content = officer_client.get(f"/requests/{again.reference}/").content.decode()

    assert content.count(">previously erased</span>") == 2  # the summary and alice's row
    assert "1 subject of this request Heap already erased" in content


def test_the_request_page_of_a_new_identity_has_no_mark(
    account: HeapAccount, officer_client: Client
) -> None:
    request = make_request(account, ["bob@example.com"])

    content = officer_client.get(f"/requests/{request.reference}/").content.decode()

    assert "previously erased" not in content


def test_the_list_marks_requests_with_previously_erased_subjects(
    account: HeapAccount, officer_client: Client
) -> None:
    erased(account, "alice@example.com")
    again = make_request(account, ["alice@example.com"])
    fresh = make_request(account, ["bob@example.com"])

    response = officer_client.get("/requests/")

    marked = {r.reference: r.previously_erased_subjects for r in response.context["page"].rows}
    assert marked[again.reference] == 1
    assert marked[fresh.reference] == 0
    assert response.content.decode().count(">previously erased</span>") == 1


def test_a_request_still_open_is_flagged_once_another_erases_the_same_subject(
    account: HeapAccount,
) -> None:
    waiting = make_request(account, ["alice@example.com", "bob@example.com"])
    later = make_request(make_account("other"), ["alice@example.com"])
    make_erased(later)

    flagged = open_subjects_erased_by(later_batch(later))

    assert flagged == [waiting.reference]
    assert flags(waiting) == {"alice@example.com": True, "bob@example.com": False}
    [event] = AuditEvent.objects.filter(action="request.previously_erased")
    assert event.request_ref == waiting.reference
    assert event.details == {"subjects": 1, "erased_by_batch": later_batch(later).pk}


def test_a_subject_already_in_a_batch_or_a_closed_request_is_not_flagged(
    account: HeapAccount,
) -> None:
    on_its_way = make_request(account, ["alice@example.com"])
    erasure_requests.request_approve(on_its_way, actor=SYSTEM)
    batches_release(account, actor=SYSTEM)
    cancelled = make_request(account, ["alice@example.com"])
    erasure_requests.request_cancel(cancelled, actor=SYSTEM, author=None, reason="duplicate")
    later = make_request(make_account("other"), ["alice@example.com"])
    make_erased(later)

    assert open_subjects_erased_by(later_batch(later)) == []
    assert not Subject.objects.filter(previously_erased=True).exists()


def test_flagging_again_changes_nothing(account: HeapAccount) -> None:
    make_request(account, ["alice@example.com"])
    later = make_erased(make_request(make_account("other"), ["alice@example.com"]))
    open_subjects_erased_by(later_batch(later))

    assert open_subjects_erased_by(later_batch(later)) == []
    assert AuditEvent.objects.filter(action="request.previously_erased").count() == 1


def later_batch(request: ErasureRequest) -> DeletionBatch:
    return DeletionBatch.objects.get(request_links__request=request)
