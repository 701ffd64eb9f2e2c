import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from heapprivacy.audit.chain import (
    CHAIN_FIELDS,
    GENESIS_HASH,
    Anchor,
    ChainBreak,
    ChainTally,
    anchor_parse,
    canonical_bytes,
    event_hash,
    event_line,
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


def test_a_tally_gives_the_last_event_as_an_anchor() -> None:
    events = chain_of(3)
    tally = ChainTally(iter(events[1:]), head=events[0]["hash"], seq=1)

    list(tally)

    assert tally.anchor == Anchor(3, events[-1]["hash"])
    assert str(ChainTally([], head=GENESIS_HASH).anchor) == f"0:{GENESIS_HASH}"


def test_an_anchor_is_written_and_read_as_seq_colon_hash() -> None:
    anchor = Anchor(1532, KNOWN_HASH)

    assert str(anchor) == f"1532:{KNOWN_HASH}"
    assert anchor_parse(f" 1532:{KNOWN_HASH.upper()}\n") == anchor


@pytest.mark.parametrize(
    "text",
    [
        "",
        KNOWN_HASH,
        f"0:{KNOWN_HASH}",
        f"-1:{KNOWN_HASH}",
        f"12:{KNOWN_HASH[:-1]}",
        "12:xyz",
        f"\u0661:{KNOWN_HASH}",  # an Arabic-Indic digit one is a digit, not an ASCII one
    ],
)
def test_a_malformed_anchor_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="an anchor is SEQ:HASH"):
        anchor_parse(text)


def test_an_anchor_at_an_event_of_the_chain_verifies() -> None:
    events = chain_of(5)

    assert verify_chain(events, anchor=Anchor(3, events[2]["hash"])) is None
    assert verify_chain(events, anchor=Anchor(5, events[4]["hash"])) is None


def test_an_anchor_beyond_the_end_names_the_first_missing_seq() -> None:
    events = chain_of(5)

    assert verify_chain(events[:3], anchor=Anchor(5, events[4]["hash"])) == ChainBreak(
        4, "truncated: events after seq 3 are missing (the anchor names seq 5)"
    )


def test_an_anchor_catches_an_emptied_chain() -> None:
    assert verify_chain([], anchor=Anchor(2, KNOWN_HASH)) == ChainBreak(
        1, "truncated: events after seq 0 are missing (the anchor names seq 2)"
    )


def test_an_anchor_catches_a_chain_rewritten_and_rehashed_up_to_it() -> None:
    events = chain_of(5)
    anchor = Anchor(4, events[3]["hash"])
    forged = [{**event, "actor_label": "forger"} for event in events]
    for event, previous in zip(forged, [None, *forged], strict=False):
        event["prev_hash"] = previous["hash"] if previous else GENESIS_HASH
        event["hash"] = event_hash(event)

    assert verify_chain(forged) is None
    assert verify_chain(forged, anchor=anchor) == ChainBreak(
        4,
        "anchor mismatch: the event's hash is not the anchored one"
        " (the chain was rewritten up to here)",
    )


def test_an_anchor_on_a_tail_is_checked_from_the_start_seq() -> None:
    events = chain_of(5)
    tail = events[2:]

    anchor = Anchor(5, events[4]["hash"])
    assert verify_chain(tail, start_prev_hash=events[1]["hash"], start_seq=3, anchor=anchor) is None
    with pytest.raises(ValueError, match="before the first checked seq"):
        verify_chain(tail, start_prev_hash=events[1]["hash"], start_seq=3, anchor=Anchor(2, "a"))


def test_an_export_line_is_the_canonical_json_of_every_field_and_a_newline() -> None:
    line = event_line({**KNOWN_EVENT, "hash": KNOWN_HASH, "id": 99})

    assert (
        line
        == (
            '{"action":"request.approved","actor_id":"7","actor_kind":"user",'
            '"actor_label":"officer","at":"2026-11-28T22:59:01.123456+00:00",'
            '"details":{"reason":"vérifié","subjects":3},"hash":"' + KNOWN_HASH + '",'
            '"prev_hash":"' + GENESIS_HASH + '","request_ref":"DSR-2026-000123","seq":1,'
            '"target_id":"42","target_type":"erasure.erasurerequest"}\n'
        ).encode()
    )


def test_an_export_line_keeps_newlines_in_values_escaped() -> None:
    event = {**KNOWN_EVENT, "details": {"note": "a\nb\r\u2028c"}, "hash": KNOWN_HASH}

    line = event_line(event)

    assert line.count(b"\n") == 1
    assert "\u2028".encode() in line
    assert json.loads(line)["details"] == {"note": "a\nb\r\u2028c"}


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
