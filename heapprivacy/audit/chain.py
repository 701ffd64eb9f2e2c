"""The audit hash chain: canonical bytes, event hashes and chain verification.

Standard library only, on purpose: `python -S -m heapprivacy.audit.verify` runs this module
without Django so an auditor can check an export with nothing but Python. docs/audit.md states
the same algorithm byte by byte; change one and you must change the other.
"""

import hashlib
import json
import re
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
# The fields of one line of the JSON Lines export: the chain fields plus the event's own hash.
EXPORT_FIELDS = (*CHAIN_FIELDS, "hash")

# One encoder for every canonical text: json.dumps would build an equal one per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)

HASH_PATTERN = re.compile(r"[0-9a-f]{64}")
ANCHOR_PATTERN = re.compile(r"([1-9][0-9]*):([0-9a-f]{64})")


@dataclass(frozen=True)
class ChainBreak:
    """The first event at which a chain stops being intact, and why."""

    seq: int
    reason: str


@dataclass(frozen=True)
class Anchor:
    """A head recorded outside the database: event `seq` had hash `hash`. Written SEQ:HASH."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


def anchor_parse(text: str) -> Anchor:
    """Read SEQ:HASH (seq from 1, hash 64 hex digits); ValueError with an example otherwise."""
    match = ANCHOR_PATTERN.fullmatch(text.strip().lower())
    if not match:
        raise ValueError(
            f"an anchor is SEQ:HASH, the seq and 64-hex-digit hash of one event, e.g. "
            f"1532:{'3fb2a1c9' * 8}; got {text!r}"
        )
    return Anchor(int(match[1]), match[2])


def canonical_bytes(event: dict[str, Any]) -> bytes:
    hashed = {field: event[field] for field in CHAIN_FIELDS}
    return _CANONICAL.encode(hashed).encode("utf-8")


def event_hash(event: dict[str, Any]) -> str:
    prefix = event["prev_hash"].encode("ascii") + b"\n"
    return hashlib.sha256(prefix + canonical_bytes(event)).hexdigest()


def event_line(event: dict[str, Any]) -> bytes:
    """One line of the JSON Lines export: the EXPORT_FIELDS as canonical JSON, then a newline.

    Newlines inside strings are escaped by JSON, so the only 0x0A byte ends the line; other line
    separators (U+2028, U+0085) stay as themselves, so readers must split on 0x0A alone.
    """
    exported = {field: event[field] for field in EXPORT_FIELDS}
    return _CANONICAL.encode(exported).encode("utf-8") + b"\n"


def verify_chain(
    events: Iterable[dict[str, Any]],
    start_prev_hash: str = GENESIS_HASH,
    start_seq: int = 1,
    anchor: Anchor | None = None,
) -> ChainBreak | None:
    """Walk events in order (consuming them one at a time); None when every one links up.

    With an anchor (whose seq must be start_seq or later), the event at anchor.seq must exist
    and carry anchor.hash: a chain cut short before it, or rewritten up to it, is broken.
    """
    if anchor and anchor.seq < start_seq:
        raise ValueError(f"the anchor names seq {anchor.seq}, before the first checked seq")
    expected_seq, prev_hash = start_seq, start_prev_hash
    for event in events:
        broken = event_check(event, expected_seq, prev_hash) or anchor_check(event, anchor)
        if broken:
            return broken
        expected_seq, prev_hash = expected_seq + 1, event["hash"]
    if anchor and anchor.seq >= expected_seq:
        return ChainBreak(
            expected_seq,
            f"truncated: events after seq {expected_seq - 1} are missing"
            f" (the anchor names seq {anchor.seq})",
        )
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


def anchor_check(event: dict[str, Any], anchor: Anchor | None) -> ChainBreak | None:
    if anchor and event["seq"] == anchor.seq and event["hash"] != anchor.hash:
        return ChainBreak(
            anchor.seq,
            "anchor mismatch: the event's hash is not the anchored one"
            " (the chain was rewritten up to here)",
        )
    return None


class ChainTally:
    """Passes events through unchanged, counting them and keeping the last one's seq and hash."""

    def __init__(self, events: Iterable[dict[str, Any]], head: str, seq: int = 0) -> None:
        self._events = events
        self.count = 0
        self.head = head
        self.seq = seq

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for event in self._events:
            self.count += 1
            self.seq, self.head = event["seq"], event["hash"]
            yield event

    @property
    def anchor(self) -> Anchor:
        """The head as an anchor, SEQ:HASH (0 and the genesis hash for an empty trail)."""
        return Anchor(self.seq, self.head)
