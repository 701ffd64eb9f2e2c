"""The documented limits, checked locally: exactly the boundary passes, one past it is refused."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heapprivacy.heap import HeapClient, HeapValidationError, encode_deletion_request
from heapprivacy.heap import validation as v

from .fakes import API_KEY, APP_ID, AUTH_URL, DELETION_URL, US, deletion_body

anything = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**1100), max_value=10**1100)
    | st.floats()
    | st.text(st.characters(exclude_categories=()))
    | st.binary()
    | st.datetimes(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=8) | st.integers(), children, max_size=4)
    ),
    max_leaves=12,
)
subject_like = st.fixed_dictionaries(
    {},
    optional={
        "identity": anything | st.text(max_size=300),
        "user_id": anything
        | st.integers(min_value=-1, max_value=2**54)
        | st.from_regex(r"\d{1,20}", fullmatch=True),
        "event": anything | st.text(max_size=1100),
        "properties": anything | st.dictionaries(st.text(max_size=5), anything, max_size=3),
        "timestamp": anything | st.just("2026-01-01T00:00:00Z"),
    },
)

VALIDATORS = [
    v.validate_identity,
    v.validate_user_id,
    v.validate_deletion_users,
    v.validate_event_name,
    v.validate_properties,
    v.validate_timestamp,
    v.validate_track_event,
    v.validate_user_properties,
    v.validate_account_properties,
    lambda value: v.validate_bulk(value, "events"),
    v.validate_deletion_request_id,
]


@pytest.mark.parametrize("validator", VALIDATORS)
@given(value=anything | subject_like | st.lists(subject_like, max_size=3))
def test_validators_never_raise_anything_but_heap_validation_error(validator, value):
    with contextlib.suppress(HeapValidationError):
        validator(value)


@given(user_ids=st.lists(anything | st.text(max_size=20), max_size=3))
def test_identify_never_raises_anything_but_heap_validation_error(user_ids):
    for user_id in user_ids:
        with contextlib.suppress(HeapValidationError):
            v.validate_identify(user_id, "alice@example.com", None)


# --- identity ------------------------------------------------------------------------------


@given(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=255))
def test_it_accepts_any_identity_of_1_to_255_characters_unchanged(identity):
    assert v.validate_identity(identity) is identity


def test_it_accepts_an_identity_of_exactly_255_chars():
    assert v.validate_identity("a" * 255) == "a" * 255


def test_it_refuses_identity_over_255_chars():
    with pytest.raises(
        HeapValidationError, match=r"identity: must be 1 to 255 characters \(got 256\)"
    ):
        v.validate_identity("a" * 256)


def test_it_refuses_an_empty_identity():
    with pytest.raises(HeapValidationError, match="got 0"):
        v.validate_identity("")


def test_it_refuses_an_identity_that_is_not_a_string():
    with pytest.raises(HeapValidationError, match="must be a string"):
        v.validate_identity(12345)


def test_it_refuses_an_identity_with_a_lone_surrogate():
    with pytest.raises(HeapValidationError, match="lone surrogates"):
        v.validate_identity("alice\ud800")


def test_refusal_messages_never_repeat_the_identity():
    with pytest.raises(HeapValidationError) as caught:
        v.validate_identity("secret.person@example.com" * 11)

    assert "secret.person" not in str(caught.value)


# --- user_id -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_value", "sent"),
    [
        (0, 0),
        (2**53 - 1, 2**53 - 1),
        ("0", 0),
        ("9007199254740991", 2**53 - 1),
        ("007", 7),
        ("0" * 5000 + "1", 1),
    ],
)
def test_it_accepts_user_ids_from_0_to_2_pow_53_minus_1(given_value, sent):
    assert v.validate_user_id(given_value) == sent


@pytest.mark.parametrize(
    "refused",
    [
        pytest.param(2**53, id="2^53"),
        pytest.param("9007199254740992", id="2^53-as-text"),
        pytest.param(-1, id="negative"),
        pytest.param("-1", id="negative-text"),
        pytest.param("1" * 5000, id="5000-digits"),
        pytest.param(True, id="bool"),
        pytest.param(1.0, id="float"),
        pytest.param("", id="empty"),
        pytest.param(" 1", id="leading-space"),
        pytest.param("+1", id="plus-sign"),
        pytest.param("1e3", id="exponent"),
        pytest.param("\u0661\u0662", id="arabic-indic-digits"),
        pytest.param("\u00b2", id="superscript-two"),
        pytest.param(None, id="none"),
    ],
)
def test_it_refuses_user_ids_outside_whole_numbers_0_to_2_pow_53_minus_1(refused):
    with pytest.raises(HeapValidationError, match="user_id"):
        v.validate_user_id(refused)


@given(st.integers(min_value=0, max_value=2**53 - 1))
def test_every_user_id_in_range_is_accepted_as_int_or_digits(user_id):
    assert v.validate_user_id(user_id) == v.validate_user_id(str(user_id)) == user_id


@given(st.integers(min_value=2**53) | st.integers(max_value=-1))
def test_every_user_id_out_of_range_is_refused(user_id):
    with pytest.raises(HeapValidationError):
        v.validate_user_id(user_id)


# --- deletion users --------------------------------------------------------------------------


def test_it_accepts_exactly_10000_deletion_users():
    users = [{"user_id": n} for n in range(10_000)]

    assert len(v.validate_deletion_users(users)) == 10_000


def test_it_refuses_10001_deletion_users():
    with pytest.raises(
        HeapValidationError, match=r"users: must hold 1 to 10000 items \(got 10001\)"
    ):
        v.validate_deletion_users([{"user_id": n} for n in range(10_001)])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        pytest.param({"identity": "a", "user_id": 1}, "exactly one", id="both"),
        pytest.param({}, "exactly one", id="neither"),
        pytest.param({"identity": None}, "exactly one", id="none-counts-as-absent"),
        pytest.param({"identity": "a", "email": "a"}, "allowed fields", id="unknown-key"),
        pytest.param("alice@example.com", "must be a mapping", id="bare-string"),
    ],
)
def test_each_deletion_user_has_exactly_one_of_identity_or_user_id(entry, message):
    with pytest.raises(HeapValidationError, match=message) as caught:
        v.validate_deletion_users([{"user_id": 1}, entry])

    assert caught.value.field.startswith("users[1]")


def test_deletion_users_must_be_a_list():
    with pytest.raises(HeapValidationError, match="users: must be a list"):
        v.validate_deletion_users({"identity": "a"})


def test_deletion_payload_sends_user_id_as_int_and_identity_as_given():
    body = encode_deletion_request([{"user_id": "42"}, {"identity": " Alice@Example.COM "}])

    assert json.loads(body) == {"users": [{"user_id": 42}, {"identity": " Alice@Example.COM "}]}


# --- event names, properties ---------------------------------------------------------------


def test_it_accepts_an_event_name_of_1024_chars_and_refuses_1025():
    assert v.validate_event_name("e" * 1024) == "e" * 1024
    with pytest.raises(HeapValidationError, match=r"event: must be at most 1024 characters"):
        v.validate_event_name("e" * 1025)


def test_it_refuses_an_empty_event_name():
    with pytest.raises(HeapValidationError, match="event: must not be empty"):
        v.validate_event_name("")


def test_it_accepts_a_property_key_of_1024_chars_and_refuses_1025():
    assert v.validate_properties({"k" * 1024: "v"}) == {"k" * 1024: "v"}
    with pytest.raises(HeapValidationError, match="properties key: must be at most 1024"):
        v.validate_properties({"k" * 1025: "v"})


def test_it_accepts_a_property_value_of_1024_chars_and_refuses_1025():
    assert v.validate_properties({"k": "v" * 1024}) == {"k": "v" * 1024}
    with pytest.raises(HeapValidationError, match=r"properties\['k'\]: must be at most 1024"):
        v.validate_properties({"k": "v" * 1025})


@pytest.mark.parametrize("key", ["id", "ID", "Id", "iD"])
def test_it_refuses_a_property_named_id_in_any_case(key):
    with pytest.raises(HeapValidationError, match="may not be named id"):
        v.validate_properties({key: 1})


def test_it_accepts_keys_that_merely_contain_id():
    assert v.validate_properties({"user_id": 1, "idea": "x", "email": "a@b.c"})


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"nested": 1}, id="nested-dict"),
        pytest.param([1, {"nested": 1}], id="dict-in-list"),
        pytest.param([[1]], id="list-in-list"),
        pytest.param(None, id="none"),
        pytest.param(True, id="bool"),
        pytest.param(float("nan"), id="nan"),
        pytest.param(float("inf"), id="infinity"),
        pytest.param(b"bytes", id="bytes"),
        pytest.param(10**1024, id="int-of-1025-digits"),
        pytest.param(["ok", "v" * 1025], id="long-string-in-list"),
    ],
)
def test_it_refuses_property_values_other_than_strings_numbers_and_lists_of_them(value):
    with pytest.raises(HeapValidationError, match="properties"):
        v.validate_properties({"plan": value})


def test_it_accepts_strings_numbers_and_arrays_of_scalars_as_property_values():
    properties = {"plan": "pro", "seats": 3, "ratio": 0.5, "tags": ["a", 1, 2.5], "big": 10**1023}

    assert v.validate_properties(properties) == properties


def test_properties_must_be_a_mapping_with_string_keys():
    with pytest.raises(HeapValidationError, match="properties: must be a mapping"):
        v.validate_properties([("plan", "pro")])
    with pytest.raises(HeapValidationError, match="properties key: must be a string"):
        v.validate_properties({1: "pro"})


# --- bulk, timestamps ----------------------------------------------------------------------


def test_it_accepts_1000_bulk_items_and_refuses_1001():
    assert len(v.validate_bulk([{}] * 1000, "events")) == 1000
    with pytest.raises(
        HeapValidationError, match=r"events: must hold 1 to 1000 items \(got 1001\)"
    ):
        v.validate_bulk([{}] * 1001, "events")


def test_it_refuses_an_empty_bulk_call():
    with pytest.raises(HeapValidationError, match="got 0"):
        v.validate_bulk([], "accounts")


@pytest.mark.parametrize(
    ("given_value", "sent"),
    [
        ("2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z"),
        ("2026-01-01T10:00:00.123+02:00", "2026-01-01T10:00:00.123+02:00"),
        (datetime(2026, 1, 1, 10, tzinfo=UTC), "2026-01-01T10:00:00+00:00"),
    ],
)
def test_it_accepts_iso_8601_timestamps_and_aware_datetimes(given_value, sent):
    assert v.validate_timestamp(given_value) == sent


@pytest.mark.parametrize("refused", ["yesterday", "", 1767225600, datetime(2026, 1, 1)])  # noqa: DTZ001 - the naive datetime is the refused input
def test_it_refuses_other_timestamps(refused):
    with pytest.raises(HeapValidationError, match="timestamp"):
        v.validate_timestamp(refused)


# --- identities reach Heap byte for byte ---------------------------------------------------

UNUSUAL_IDENTITIES = [
    " alice@example.com ",
    "Alice@Example.COM",
    "\talice\n",
    "alice\u200b@example.com",
    "e\u0301lise",
    "\u00e9lise",
    "\ufeffbom",
    "😀" * 255,
    "\uff21\uff4c\uff49\uff43\uff45",
]


@pytest.mark.parametrize("identity", UNUSUAL_IDENTITIES)
def test_it_sends_identities_byte_for_byte(heap, client, grant_token, accept_deletion, identity):
    grant_token()
    accept_deletion()

    client.delete_users([{"identity": identity}])

    sent = heap.calls[-1].request.body
    assert json.loads(sent)["users"][0]["identity"] == identity
    assert json.dumps(identity, ensure_ascii=False).encode() in sent


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(identity=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=255))
def test_no_identity_is_ever_altered_on_the_wire(identity):
    with HeapClient(app_id=APP_ID, api_key=API_KEY) as client, responses.RequestsMock() as heap:
        heap.post(AUTH_URL, json={"access_token": "t"})
        heap.post(DELETION_URL, status=201, json=deletion_body())
        heap.post(f"{US}/api/track")

        client.delete_users([{"identity": identity}])
        client.track("Signed up", identity=identity)

        deletion, track = (json.loads(call.request.body) for call in heap.calls[1:])
    assert deletion["users"][0]["identity"] == identity
    assert track["identity"] == identity
