"""Verify an exported audit trail (JSON Lines) with nothing but Python's standard library.

    python -S -m heapprivacy.audit.verify audit.jsonl [--anchor SEQ:HASH]

Prints "OK: N events, head SEQ:HASH" and exits 0, or "BROKEN at seq N: reason" and exits 1;
a file that cannot be read or a malformed --anchor exits 2. Run it from a checkout with no
packages installed: this module imports only chain.py and the standard library, and
heapprivacy/__init__.py and heapprivacy/audit/__init__.py import nothing (tests/audit pins it).
The format and the algorithm are in docs/audit.md, for anyone who would rather re-implement it.
"""

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from heapprivacy.audit.chain import (
    EXPORT_FIELDS,
    GENESIS_HASH,
    HASH_PATTERN,
    Anchor,
    ChainBreak,
    ChainTally,
    anchor_parse,
    verify_chain,
)


class LineError(Exception):
    """A line that is not one well-formed event; reported as a break at the seq it should hold."""


def verify_lines(
    lines: Iterable[bytes], anchor: Anchor | None = None
) -> tuple[ChainBreak | None, ChainTally]:
    """Verify a whole export (it must start at seq 1); the tally holds the count and the head."""
    tally = ChainTally(events_read(lines), head=GENESIS_HASH)
    try:
        return verify_chain(tally, anchor=anchor), tally
    except LineError as error:
        return ChainBreak(tally.seq + 1, str(error)), tally


def events_read(lines: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    """Parse one event per line. Split on 0x0A only (a file object's lines are exactly that)."""
    for number, line in enumerate(lines, start=1):
        yield event_parse(line.removesuffix(b"\n").removesuffix(b"\r"), number)


def event_parse(line: bytes, number: int) -> dict[str, Any]:
    try:
        event = json.loads(
            line.decode("utf-8"),
            object_pairs_hook=object_without_duplicate_keys,
            parse_constant=constant_refuse,
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise LineError(f"line {number} is not one JSON object: {error}") from None
    if not isinstance(event, dict) or set(event) != set(EXPORT_FIELDS):
        fields = ", ".join(EXPORT_FIELDS)
        raise LineError(f"line {number} does not hold exactly the fields {fields}")
    if type(event["seq"]) is not int:
        raise LineError(f"line {number}: seq is not an integer")
    for field in ("prev_hash", "hash"):
        if not (isinstance(event[field], str) and HASH_PATTERN.fullmatch(event[field])):
            raise LineError(f"line {number}: {field} is not 64 lowercase hex digits")
    return event


def object_without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key would let a reader see one value while the hash covers another.
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("a key appears twice in one object")
    return dict(pairs)


def constant_refuse(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m heapprivacy.audit.verify",
        description="Verify an audit trail exported as JSON Lines (docs/audit.md).",
    )
    parser.add_argument("file", help="the JSON Lines export, or - for standard input")
    parser.add_argument("--anchor", metavar="SEQ:HASH", help="a head recorded outside the database")
    args = parser.parse_args(argv)
    try:
        anchor = anchor_parse(args.anchor) if args.anchor else None
    except ValueError as error:
        parser.error(f"--anchor: {error}")
    try:
        broken, tally = verify_source(args.file, anchor)
    except OSError as error:
        print(f"cannot read {args.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    if broken:
        print(f"BROKEN at seq {broken.seq}: {broken.reason}")
        return 1
    print(f"OK: {tally.count} events, head {tally.anchor}")
    return 0


def verify_source(path: str, anchor: Anchor | None) -> tuple[ChainBreak | None, ChainTally]:
    if path == "-":
        return verify_lines(sys.stdin.buffer, anchor)
    with open(path, "rb") as export:
        # A binary file iterates on b"\n" only, never on U+2028 or a lone \r.
        return verify_lines(export, anchor)


if __name__ == "__main__":
    sys.exit(main())
