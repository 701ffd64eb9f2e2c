from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import transaction

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.chain import GENESIS_HASH, event_hash, verify_chain
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.selectors import audit_events_iter
from heapprivacy.audit.services import audit_head, audit_record

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("sweep")


def record(action: str = "batch.released", **kwargs: Any) -> AuditEvent:
    return audit_record(action, actor=SYSTEM, **kwargs)


def test_the_first_event_has_seq_1_and_links_to_the_genesis_hash() -> None:
    event = record()

    assert (event.seq, event.prev_hash) == (1, GENESIS_HASH)
    assert event.hash == event_hash(event.to_chain_dict())


def test_events_get_consecutive_seqs_each_linked_to_the_one_before() -> None:
    first, second, third = record(), record(), record()

    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash


def test_it_records_actor_target_request_and_details() -> None:
    officer = User.objects.create_user("officer")

    event = audit_record(
        "request.approved",
        actor=Actor.for_user(officer),
        target=officer,
        request_ref="DSR-2026-000123",
        details={"subjects": 3, "identity_hash": "ab12"},
    )

    stored = AuditEvent.objects.get()
    assert stored.to_chain_dict() == event.to_chain_dict()
    assert (stored.actor_kind, stored.actor_id, stored.actor_label) == (
        "user",
        str(officer.pk),
        "officer",
    )
    assert (stored.target_type, stored.target_id) == ("auth.user", str(officer.pk))
    assert stored.request_ref == "DSR-2026-000123"
    assert stored.details == {"subjects": 3, "identity_hash": "ab12"}


def test_an_event_without_target_or_details_records_blanks() -> None:
    event = record()

    assert (event.target_type, event.target_id, event.request_ref, event.details) == (
        "",
        "",
        "",
        {},
    )


def test_the_hash_survives_the_round_trip_through_the_database() -> None:
    moment = datetime(2026, 11, 28, 22, 59, 1, 0, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        record(details={"note": "vérifié ✓", "ids": [1, 2**40], "nested": {"ok": True, "x": None}})

    stored = AuditEvent.objects.get().to_chain_dict()

    assert stored["at"] == "2026-11-28T22:59:01.000000+00:00"
    assert event_hash(stored) == stored["hash"]


def test_it_keeps_its_own_copy_of_the_details() -> None:
    details = {"ids": [1]}
    event = record(details=details)

    details["ids"].append(2)

    assert event.hash == event_hash(event.to_chain_dict())


def test_an_event_rolled_back_with_its_transaction_leaves_no_gap() -> None:
    first = record()
    with transaction.atomic():
        record()
        transaction.set_rollback(True)

    second = record()

    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert verify_chain(audit_events_iter()) is None


def test_the_event_commits_or_rolls_back_with_the_callers_state_change() -> None:
    with transaction.atomic():
        user = User.objects.create_user("approver")
        audit_record("user.created", actor=SYSTEM, target=user)
        transaction.set_rollback(True)

    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_head_of_an_empty_trail_is_the_genesis_hash() -> None:
    assert audit_head() == (0, GENESIS_HASH)


def test_the_head_is_the_newest_events_seq_and_hash() -> None:
    record()
    newest = record()

    assert audit_head() == (2, newest.hash)


@pytest.mark.parametrize(
    "details",
    [
        {"api_key": "k"},
        {"Token": "t"},
        {"access_token": "t"},
        {"Authorization": "Bearer t"},
        {"password": "p"},
        {"secret": "s"},
        {"EMAIL": "a@example.com"},
        {"identity": "a@example.com"},
        {"value": "user-1"},
        {"apiKey": "k"},
        {"access-token": "t"},
    ],
)
def test_it_refuses_a_key_that_names_a_secret_or_personal_datum(details: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must not hold secrets or personal data"):
        record(details=details)

    assert not AuditEvent.objects.exists()


def test_it_refuses_a_forbidden_key_nested_in_objects_and_lists_naming_its_path() -> None:
    details = {"batch": {"members": [{"kind": "identity"}, {"email": "a@example.com"}]}}

    with pytest.raises(ValueError, match=r"details\.batch\.members\[1\]\.email") as refusal:
        record(details=details)

    assert "a@example.com" not in str(refusal.value)


def test_it_accepts_keyed_hashes_and_ids_named_after_personal_data() -> None:
    event = record(details={"email_hash": "9f2c", "identity_count": 2, "token_id": "t-1"})

    assert event.seq == 1


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({"ratio": 0.5}, r"details\.ratio: floats are not allowed"),
        ({"ids": {1, 2}}, r"details\.ids: set is not allowed"),
        ({1: "one"}, "keys must be strings"),
        (["not", "an", "object"], "must be a JSON object"),
    ],
)
def test_it_refuses_details_that_would_not_round_trip_as_json(details: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        record(details=details)


@pytest.mark.parametrize("action", ["approved", "Request.Approved", "request.", "request approved"])
def test_it_refuses_an_action_that_is_not_dotted_lowercase(action: str) -> None:
    with pytest.raises(ValueError, match="dotted lowercase"):
        record(action)


def test_it_refuses_an_unsaved_target() -> None:
    with pytest.raises(ValueError, match="must be saved"):
        record(target=User(username="ghost"))
