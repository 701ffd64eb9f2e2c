"""The audit trail as JSON Lines: the file `python -m heapprivacy.audit.verify` checks.

One event per line, as chain.event_line writes it (docs/audit.md, "The JSON Lines export").
These functions only read: whoever exports records the export itself with audit_record.
"""

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import IO

from heapprivacy.audit.chain import GENESIS_HASH, Anchor, ChainTally, event_line
from heapprivacy.audit.selectors import audit_events_iter


@dataclass(frozen=True)
class AuditExport:
    """What an export wrote: how many events, and the last one as SEQ:HASH (None if none)."""

    events: int
    head: Anchor | None


def audit_export_jsonl(stream: IO[bytes], from_seq: int = 1) -> AuditExport:
    """Write events from_seq onwards to a binary stream, one canonical JSON line each.

    Streams with flat memory (a server-side cursor on PostgreSQL, see audit_events_iter). The
    stream takes bytes: open files with "wb"; for a text-only sink wrap it yourself in UTF-8.
    Only an export from seq 1 can be verified on its own; a later start needs the hash of the
    event before it.
    """
    with closing(audit_events_iter(from_seq)) as events:
        tally = ChainTally(events, head=GENESIS_HASH, seq=from_seq - 1)
        for event in tally:
            stream.write(event_line(event))
    return AuditExport(tally.count, tally.anchor if tally.count else None)


def audit_jsonl_lines(from_seq: int = 1) -> Iterator[bytes]:
    """The same lines as a generator, e.g. for a StreamingHttpResponse."""
    with closing(audit_events_iter(from_seq)) as events:
        for event in events:
            yield event_line(event)
