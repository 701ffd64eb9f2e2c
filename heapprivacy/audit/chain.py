"""The audit hash chain: canonical bytes, event hashes and chain verification.

Standard library only, on purpose: `python -S -m heapprivacy.audit.verify` runs this module
without Django so an auditor can check an export with nothing but Python. docs/audit.md states
the same algorithm byte by byte; change one and you must change the other.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64

# The fields an event's hash covers; an event dict also carries its own "hash", which is not one.
CHAIN_FIELDS = (
    "seq",
    "at",
    "actor_kind",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "request_ref",
    "details",
    "prev_hash",
)


@dataclass(frozen=True)
class ChainBreak:
    """The first event at which a chain stops being intact, and why."""

    seq: int
    reason: str


def canonical_bytes(event: dict[str, Any]) -> bytes:
    hashed = {field: event[field] for field in CHAIN_FIELDS}
    text = json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def event_hash(event: dict[str, Any]) -> str:
    prefix = event["prev_hash"].encode("ascii") + b"\n"
    return hashlib.sha256(prefix + canonical_bytes(event)).hexdigest()


def verify_chain(
    events: Iterable[dict[str, Any]], start_prev_hash: str = GENESIS_HASH, start_seq: int = 1
) -> ChainBreak | None:
    """Walk events in order (consuming them one at a time); None when every one links up."""
    expected_seq, prev_hash = start_seq, start_prev_hash
    for event in events:
        broken = event_check(event, expected_seq, prev_hash)
        if broken:
            return broken
        expected_seq, prev_hash = expected_seq + 1, event["hash"]
    return None


def event_check(event: dict[str, Any], expected_seq: int, prev_hash: str) -> ChainBreak | None:
    seq = event["seq"]
    if seq > expected_seq:
        return ChainBreak(expected_seq, f"missing: the next event found is seq {seq}")
    if seq < expected_seq:
        return ChainBreak(seq, f"duplicated or out of order: expected seq {expected_seq}")
    if event["prev_hash"] != prev_hash:
        return ChainBreak(seq, f"prev_hash is not the hash of seq {seq - 1}")
    if event_hash(event) != event["hash"]:
        return ChainBreak(seq, "hash mismatch: the event was altered after it was recorded")
    return None


class ChainTally:
    """Passes events through unchanged, counting them and keeping the last one's hash (the head)."""

    def __init__(self, events: Iterable[dict[str, Any]], head: str) -> None:
        self._events = events
        self.count = 0
        self.head = head

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for event in self._events:
            self.count += 1
            self.head = event["hash"]
            yield event
