import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.chain import event_hash
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.protection import protection_suspended
from heapprivacy.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_events() -> list[AuditEvent]:
    return [
        audit_record("batch.released", actor=Actor.system(), details={"members": n})
        for n in range(5)
    ]


def tamper(sql: str, params: list[object]) -> None:
    """Raw SQL as the table's owner can run it: lift the append-only triggers, edit, restore."""
    with protection_suspended(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_an_intact_chain_exits_0_with_its_count_and_head(five_events: list[AuditEvent]) -> None:
    assert verify() == (0, f"audit chain intact: 5 events, head 5:{five_events[-1].hash}\n", "")


def test_an_empty_trail_is_intact() -> None:
    assert verify() == (0, f"audit chain intact: 0 events, head 0:{'0' * 64}\n", "")


def test_an_edited_event_exits_1_naming_its_seq(five_events: list[AuditEvent]) -> None:
    tamper("UPDATE audit_auditevent SET details = %s WHERE seq = 3", ['{"members": 0}'])

    code, out, err = verify()

    assert (code, out) == (1, "")
    assert err == (
        "audit chain broken at seq 3: hash mismatch: the event was altered after it was recorded\n"
    )


def test_a_deleted_middle_event_exits_1_naming_the_missing_seq(
    five_events: list[AuditEvent],
) -> None:
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [3])

    code, _, err = verify()

    assert code == 1
    assert err == "audit chain broken at seq 3: missing: the next event found is seq 4\n"


def test_from_seq_verifies_only_the_tail_trusting_the_event_before_it(
    five_events: list[AuditEvent],
) -> None:
    tamper("UPDATE audit_auditevent SET details = %s WHERE seq = 2", ['{"members": 0}'])

    assert verify("--from-seq", "3") == (
        0,
        f"audit chain intact: 3 events, head 5:{five_events[-1].hash}\n",
        "",
    )
    assert verify("--from-seq", "2")[0] == 1


def test_from_seq_still_checks_the_link_to_the_event_before_it(
    five_events: list[AuditEvent],
) -> None:
    tamper("UPDATE audit_auditevent SET hash = %s WHERE seq = 2", ["f" * 64])

    _, _, err = verify("--from-seq", "3")

    assert err == "audit chain broken at seq 3: prev_hash is not the hash of seq 2\n"


def test_from_seq_refuses_a_start_whose_predecessor_does_not_exist(
    five_events: list[AuditEvent],
) -> None:
    with pytest.raises(CommandError, match="event 6 not found"):
        verify("--from-seq", "7")


def test_from_seq_refuses_zero() -> None:
    with pytest.raises(CommandError, match="1 or more"):
        verify("--from-seq", "0")


def test_it_reads_every_event_in_one_query(
    five_events: list[AuditEvent], django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(1):
        assert verify()[0] == 0


def test_a_deleted_last_event_goes_unnoticed_without_an_anchor(
    five_events: list[AuditEvent],
) -> None:
    tamper("DELETE FROM audit_auditevent WHERE seq >= %s", [4])

    assert verify() == (0, f"audit chain intact: 3 events, head 3:{five_events[2].hash}\n", "")


def test_an_anchor_catches_a_deleted_tail_naming_the_first_missing_seq(
    five_events: list[AuditEvent],
) -> None:
    tamper("DELETE FROM audit_auditevent WHERE seq >= %s", [4])

    code, out, err = verify("--anchor", f"5:{five_events[4].hash}")

    assert (code, out) == (1, "")
    assert err == (
        "audit chain broken at seq 4: truncated: events after seq 3 are missing"
        " (the anchor names seq 5)\n"
    )


def test_an_anchor_found_with_its_hash_is_reported(five_events: list[AuditEvent]) -> None:
    assert verify("--anchor", f"3:{five_events[2].hash}") == (
        0,
        f"audit chain intact: 5 events, head 5:{five_events[-1].hash}; anchor 3 matches\n",
        "",
    )


def test_an_anchor_catches_a_chain_rehashed_after_an_edit(five_events: list[AuditEvent]) -> None:
    forged = [event.to_chain_dict() for event in five_events]
    forged[1]["details"] = {"members": 99}
    for event, previous in zip(forged[1:], forged, strict=False):
        event["prev_hash"] = previous["hash"]
        event["hash"] = event_hash(event)
    for event in forged[1:]:
        tamper(
            "UPDATE audit_auditevent SET details = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [json.dumps(event["details"]), event["prev_hash"], event["hash"], event["seq"]],
        )
    assert verify()[0] == 0

    code, _, err = verify("--anchor", f"4:{five_events[3].hash}")

    assert code == 1
    assert err.startswith("audit chain broken at seq 4: anchor mismatch")


def test_an_edit_before_the_anchor_is_named_at_its_own_seq(five_events: list[AuditEvent]) -> None:
    tamper("UPDATE audit_auditevent SET actor_label = %s WHERE seq = 2", ["someone else"])

    _, _, err = verify("--anchor", f"5:{five_events[4].hash}")

    assert err.startswith("audit chain broken at seq 2: hash mismatch")


def test_an_anchor_with_from_seq_checks_the_tail_up_to_the_anchor(
    five_events: list[AuditEvent],
) -> None:
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [5])

    _, _, err = verify("--from-seq", "3", "--anchor", f"5:{five_events[4].hash}")

    assert err.startswith("audit chain broken at seq 5: truncated: events after seq 4 are missing")


def test_an_anchor_before_from_seq_is_refused(five_events: list[AuditEvent]) -> None:
    with pytest.raises(CommandError, match="--anchor names seq 2, before --from-seq 3"):
        verify("--from-seq", "3", "--anchor", f"2:{five_events[1].hash}")


@pytest.mark.parametrize("anchor", ["abc", f"{'a' * 64}", f"0:{'a' * 64}", f"5:{'a' * 63}"])
def test_a_malformed_anchor_is_refused_with_the_expected_form(anchor: str) -> None:
    with pytest.raises(CommandError, match="an anchor is SEQ:HASH"):
        verify("--anchor", anchor)


def test_it_checks_an_anchor_in_the_same_single_query(
    five_events: list[AuditEvent], django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(1):
        assert verify("--anchor", f"5:{five_events[4].hash}")[0] == 0
