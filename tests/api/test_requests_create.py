"""POST /api/v1/requests: a request and its subjects, validated as every intake channel does."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import ErasureRequest, Subject
from heapprivacy.heap.validation import MAX_USER_ID
from tests.api.conftest import Caller, fields, problem
from tests.erasure.factories import make_completed, make_request

pytestmark = pytest.mark.django_db

URL = "/api/v1/requests"


def body(*subjects: dict, **fields: object) -> dict:
    subjects = subjects or ({"kind": "identity", "value": "alice@example.com"},)
    return {"subjects": list(subjects), "heap_account": "acme", **fields}


def identity(value: str) -> dict:
    return {"kind": "identity", "value": value}


def user_id(value: object) -> dict:
    return {"kind": "user_id", "value": value}


def test_it_creates_a_received_request_from_the_api(api: Caller, account: object) -> None:
    response = api.post(URL, body(identity("alice@example.com"), user_id(42)))

    assert response.status_code == 201
    answer = response.json()
    created = ErasureRequest.objects.get()
    assert answer["reference"] == created.reference
    assert (answer["state"], answer["source"], answer["subjects_count"]) == ("received", "api", 2)
    assert answer["links"]["self"] == f"http://testserver/api/v1/requests/{created.reference}"
    assert response["Location"] == answer["links"]["self"]
    assert sorted(Subject.objects.values_list("kind", "value", "state")) == [
        ("identity", "alice@example.com", "pending"),
        ("user_id", "42", "pending"),
    ]


def test_the_created_answer_is_what_reading_the_request_back_gives(
    caller_with: Callable[..., Caller], account: object
) -> None:
    caller = caller_with("requests:create", "requests:read")
    received = (timezone.now() - timedelta(days=2)).astimezone(timezone.get_fixed_timezone(-300))

    created = caller.post(URL, body(identity("a"), user_id(7), received_at=received.isoformat()))

    read_back = caller.get(f"{URL}/{created.json()['reference']}").json()
    assert created.status_code == 201
    answer = {field: value for field, value in created.json().items() if field != "warnings"}
    assert answer == {field: read_back[field] for field in answer}


def test_it_takes_jurisdiction_received_at_external_ref_and_requester_email(
    api: Caller, account: object
) -> None:
    received = timezone.now() - timedelta(days=3)

    api.post(
        URL,
        body(
            jurisdiction="CCPA",
            received_at=received.isoformat(),
            external_ref="crm-7",
            requester_email="alice@example.com",
        ),
    )

    created = ErasureRequest.objects.get()
    assert (created.jurisdiction, created.external_ref) == ("CCPA", "crm-7")
    assert created.received_at == received
    assert created.requester_email == "alice@example.com"


def test_the_jurisdiction_defaults_to_the_configured_one(
    api: Caller, account: object, settings: object
) -> None:
    settings.DEFAULT_JURISDICTION = "GDPR-UK"

    api.post(URL, body())

    assert ErasureRequest.objects.get().jurisdiction == "GDPR-UK"


def test_an_identity_is_kept_byte_for_byte(api: Caller, account: object) -> None:
    exact = " Alice@Example.COM\u200b "

    api.post(URL, body(identity(exact)))

    assert Subject.objects.get().value == exact


def test_a_user_id_may_be_a_number_or_a_string_of_digits(api: Caller, account: object) -> None:
    api.post(URL, body(user_id(MAX_USER_ID), user_id("0007")))

    assert sorted(Subject.objects.values_list("value", flat=True)) == ["7", str(MAX_USER_ID)]


def test_the_creation_is_audited_with_the_api_client_as_actor(api: Caller, account: object) -> None:
    api.post(URL, body())

    event = AuditEvent.objects.get(action="request.created")
    assert event.actor_kind == "api_client"
    assert event.details == {"source": "api", "jurisdiction": "GDPR-EU", "subjects": 1}
    assert "alice" not in str(event.details)


def test_it_refuses_an_identity_over_255_characters(api: Caller, account: object) -> None:
    response = api.post(URL, body(identity("a" * 255), identity("b" * 256)))

    assert response.status_code == 400
    assert fields(response) == {
        "subjects[1].value": "identity: must be 1 to 255 characters (got 256)"
    }
    assert not ErasureRequest.objects.exists()


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (-1, "user_id: must be between 0 and 9007199254740991"),
        (MAX_USER_ID + 1, "user_id: must be between 0 and 9007199254740991"),
        ("12a", "user_id: must be a string of digits 0-9"),
        (1.5, "user_id: must be an int or a string of digits"),
        (True, "user_id: must be an int or a string of digits"),
    ],
)
def test_it_refuses_a_user_id_heap_would_refuse(
    api: Caller, account: object, value: object, rule: str
) -> None:
    response = api.post(URL, body(identity("ok"), user_id(value)))

    assert fields(response) == {"subjects[1].value": rule}


@pytest.mark.parametrize(
    ("subject", "field", "detail"),
    [
        (identity(""), "subjects[0].value", "identity: must be 1 to 255 characters (got 0)"),
        (identity("a\x00b"), "subjects[0].value", "identity contains a NUL character"),
        (identity(7), "subjects[0].value", "identity: must be a string"),
        ({"kind": "email", "value": "a"}, "subjects[0].kind", '"email" is not a valid choice.'),
        ({"kind": "identity"}, "subjects[0].value", "This field is required."),
    ],
)
def test_it_refuses_each_bad_subject_naming_its_field(
    api: Caller, account: object, subject: dict, field: str, detail: str
) -> None:
    response = api.post(URL, body(subject))

    assert fields(response) == {field: detail}


def test_both_kinds_are_checked_in_one_answer(api: Caller, account: object) -> None:
    response = api.post(URL, body(identity("c" * 256), user_id("x"), identity("fine")))

    assert set(fields(response)) == {"subjects[0].value", "subjects[1].value"}


def test_it_refuses_no_subjects(api: Caller, account: object) -> None:
    response = api.post(URL, body() | {"subjects": []})

    assert fields(response) == {"subjects": "This list may not be empty."}


def test_it_refuses_more_than_10000_subjects(api: Caller, account: object) -> None:
    many = [user_id(n) for n in range(10_001)]

    response = api.post(URL, body(*many))

    assert response.status_code == 400
    assert fields(response) == {"subjects": "Ensure this field has no more than 10000 elements."}


def test_it_takes_10000_identities_of_255_characters(api: Caller, account: object) -> None:
    longest = [identity(f"{n:05d}".ljust(255, "x")) for n in range(10_000)]

    # ~2.9 MB: over Django's DATA_UPLOAD_MAX_MEMORY_SIZE, under the API's own body limit
    response = api.post(URL, body(*longest))

    assert response.status_code == 201
    assert response.json()["subjects_count"] == 10_000


def test_it_refuses_an_unknown_jurisdiction(api: Caller, account: object) -> None:
    response = api.post(URL, body(jurisdiction="MARS"))

    assert fields(response) == {"jurisdiction": '"MARS" is not a valid choice.'}


def test_it_refuses_a_received_at_in_the_future(api: Caller, account: object) -> None:
    tomorrow = timezone.now() + timedelta(days=1)

    response = api.post(URL, body(received_at=tomorrow.isoformat()))

    assert fields(response) == {"received_at": "received_at is in the future."}


def test_it_refuses_an_unknown_heap_account(api: Caller, account: object) -> None:
    response = api.post(URL, body(heap_account="nope"))

    assert fields(response) == {"heap_account": "No Heap account has this label."}


def test_it_refuses_a_bad_requester_email(api: Caller, account: object) -> None:
    response = api.post(URL, body(requester_email="not an email"))

    assert fields(response) == {"requester_email": "Enter a valid email address."}


def test_a_body_that_is_not_an_object_is_an_error_without_a_field(api: Caller) -> None:
    response = api.post(URL, ["subjects"])

    assert response.status_code == 400
    assert list(fields(response)) == [None]


def test_every_error_is_listed_and_the_detail_names_the_first(api: Caller, account: object) -> None:
    response = api.post(URL, {"subjects": [identity("")], "jurisdiction": "MARS"})

    body = problem(response)
    assert [error["field"] for error in body["errors"]] == [
        "subjects[0].value",
        "heap_account",
        "jurisdiction",
    ]
    assert body["detail"].startswith("subjects[0].value: identity: must be 1 to 255")
    assert body["detail"].endswith("(and 2 more: see errors)")


def test_a_new_request_has_no_warnings(api: Caller, account: object) -> None:
    response = api.post(URL, body(identity("alice@example.com")))

    assert response.json()["warnings"] == []


def test_it_warns_of_subjects_already_in_an_open_request_as_the_csv_import_does(
    api: Caller, account
) -> None:
    earlier = make_request(account, ["alice@example.com", "bob@example.com"])

    response = api.post(
        URL, body(identity("alice@example.com"), identity("bob@example.com"), identity("carol"))
    )

    assert response.status_code == 201
    (warning,) = response.json()["warnings"]
    assert warning["code"] == "in_open_request"
    assert warning["subjects"] == 2
    assert warning["references"] == [earlier.reference]
    assert earlier.reference in warning["message"]


def test_it_warns_of_subjects_heap_erased_before(api: Caller, account) -> None:
    make_completed(make_request(account, ["alice@example.com"]))

    response = api.post(URL, body(identity("alice@example.com"), identity("bob@example.com")))

    (warning,) = response.json()["warnings"]
    assert (warning["code"], warning["subjects"], warning["references"]) == (
        "previously_erased",
        1,
        [],
    )


def test_a_closed_request_naming_the_subject_is_no_warning(api: Caller, account) -> None:
    closed = make_request(account, ["alice@example.com"])
    ErasureRequest.objects.filter(pk=closed.pk).update(state=ErasureRequest.State.CANCELLED)

    response = api.post(URL, body(identity("alice@example.com")))

    assert response.json()["warnings"] == []


def test_a_replayed_create_gives_the_same_warnings(api: Caller, account) -> None:
    make_request(account, ["alice@example.com"])
    headers = {"Idempotency-Key": "create-warned-once"}

    first = api.post(URL, body(identity("alice@example.com")), **headers)
    again = api.post(URL, body(identity("alice@example.com")), **headers)

    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["warnings"] == first.json()["warnings"] != []
