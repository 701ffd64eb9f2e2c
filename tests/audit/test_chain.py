import hashlib
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from heapprivacy.audit.chain import (
    CHAIN_FIELDS,
    GENESIS_HASH,
    ChainBreak,
    ChainTally,
    canonical_bytes,
    event_hash,
    verify_chain,
)

KNOWN_EVENT = {
    "seq": 1,
    "at": "2026-11-28T22:59:01.123456+00:00",
    "actor_kind": "user",
    "actor_id": "7",
    "actor_label": "officer",
    "action": "request.approved",
    "target_type": "erasure.erasurerequest",
    "target_id": "42",
    "request_ref": "DSR-2026-000123",
    "details": {"subjects": 3, "reason": "vérifié"},
    "prev_hash": GENESIS_HASH,
}
KNOWN_HASH = "3fb2a1c950794b94830ccc4a47fd12f4f9939367afc3ec7a10f3987711dbce3c"


def chain_of(length: int) -> list[dict[str, Any]]:
    events, prev_hash = [], GENESIS_HASH
    for seq in range(1, length + 1):
        event = {**KNOWN_EVENT, "seq": seq, "prev_hash": prev_hash}
        event["hash"] = prev_hash = event_hash(event)
        events.append(event)
    return events


def test_canonical_bytes_are_sorted_compact_utf8_json_of_the_chain_fields_only() -> None:
    event = {**KNOWN_EVENT, "hash": "not hashed", "id": 99}

    assert (
        canonical_bytes(event)
        == (
            '{"action":"request.approved","actor_id":"7","actor_kind":"user",'
            '"actor_label":"officer","at":"2026-11-28T22:59:01.123456+00:00",'
            '"details":{"reason":"vérifié","subjects":3},"prev_hash":"' + GENESIS_HASH + '",'
            '"request_ref":"DSR-2026-000123","seq":1,"target_id":"42",'
            '"target_type":"erasure.erasurerequest"}'
        ).encode()
    )


def test_the_hash_is_sha256_of_prev_hash_a_newline_and_the_canonical_bytes() -> None:
    expected = hashlib.sha256(GENESIS_HASH.encode() + b"\n" + canonical_bytes(KNOWN_EVENT))

    assert event_hash(KNOWN_EVENT) == expected.hexdigest()


def test_the_hash_of_a_known_event_is_pinned() -> None:
    assert event_hash(KNOWN_EVENT) == KNOWN_HASH


@pytest.mark.parametrize("field", CHAIN_FIELDS)
def test_changing_any_field_changes_the_hash(field: str) -> None:
    changed = {**KNOWN_EVENT, field: {"seq": 2, "details": {"subjects": 4}}.get(field, "x" * 64)}

    assert event_hash(changed) != KNOWN_HASH


def test_an_intact_chain_verifies() -> None:
    assert verify_chain(chain_of(5)) is None


def test_an_empty_chain_verifies() -> None:
    assert verify_chain([]) is None


def test_it_names_an_edited_event() -> None:
    events = chain_of(5)
    events[2]["details"] = {"subjects": 0}

    assert verify_chain(events) == ChainBreak(
        3, "hash mismatch: the event was altered after it was recorded"
    )


def test_it_names_the_event_after_one_edited_and_rehashed() -> None:
    events = chain_of(5)
    events[2]["details"] = {"subjects": 0}
    events[2]["hash"] = event_hash(events[2])

    assert verify_chain(events) == ChainBreak(4, "prev_hash is not the hash of seq 3")


def test_it_names_the_seq_of_a_deleted_event() -> None:
    events = chain_of(5)
    del events[2]

    assert verify_chain(events) == ChainBreak(3, "missing: the next event found is seq 4")


def test_it_names_a_deleted_first_event() -> None:
    assert verify_chain(chain_of(3)[1:]) == ChainBreak(1, "missing: the next event found is seq 2")


def test_it_names_a_duplicated_event() -> None:
    events = chain_of(3)
    events.insert(2, events[1])

    assert verify_chain(events) == ChainBreak(2, "duplicated or out of order: expected seq 3")


def test_it_names_the_first_of_two_swapped_events() -> None:
    events = chain_of(5)
    events[2], events[3] = events[3], events[2]

    assert verify_chain(events) == ChainBreak(3, "missing: the next event found is seq 4")


def test_it_names_an_event_renumbered_to_close_a_gap() -> None:
    events = chain_of(5)
    del events[2]
    for event in events[2:]:
        event["seq"] -= 1

    assert verify_chain(events) == ChainBreak(3, "prev_hash is not the hash of seq 2")


def test_it_verifies_a_tail_from_the_hash_before_it() -> None:
    events = chain_of(5)

    assert verify_chain(events[2:], start_prev_hash=events[1]["hash"], start_seq=3) is None


def test_it_streams_and_stops_at_the_first_break() -> None:
    events = chain_of(4)
    events[1]["actor_label"] = "someone else"
    consumed = []

    def stream() -> Iterator[dict[str, Any]]:
        for event in events:
            consumed.append(event["seq"])
            yield event

    assert verify_chain(stream()).seq == 2
    assert consumed == [1, 2]


def test_a_tally_counts_events_and_keeps_the_last_hash() -> None:
    events = chain_of(3)
    tally = ChainTally(iter(events), head=GENESIS_HASH)

    assert verify_chain(tally) is None
    assert (tally.count, tally.head) == (3, events[-1]["hash"])


def test_an_empty_tally_keeps_the_head_it_started_with() -> None:
    tally = ChainTally([], head="a" * 64)

    assert list(tally) == []
    assert (tally.count, tally.head) == (0, "a" * 64)


def test_the_chain_module_runs_without_django_or_site_packages() -> None:
    script = "import sys, heapprivacy.audit.chain; print(any('django' in m for m in sys.modules))"

    result = subprocess.run(
        [sys.executable, "-S", "-c", script],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "False"
