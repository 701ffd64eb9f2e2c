"""Recompute the audit hash chain from the database and report the first broken event."""

from argparse import ArgumentParser
from contextlib import closing

from django.core.management.base import BaseCommand, CommandError

from heapprivacy.audit.chain import GENESIS_HASH, Anchor, ChainTally, anchor_parse, verify_chain
from heapprivacy.audit.selectors import audit_event_hash, audit_events_iter


class Command(BaseCommand):
    help = "Verify the audit hash chain; exit 1 naming the first broken seq."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--from-seq",
            type=int,
            default=1,
            metavar="N",
            help="start at event N, trusting the stored hash of event N-1",
        )
        parser.add_argument(
            "--anchor",
            metavar="SEQ:HASH",
            help="a head recorded earlier outside the database (the chain.anchor log line or "
            "AUDIT_ANCHOR_FILE): event SEQ must still exist with that hash",
        )

    def handle(self, *args: object, from_seq: int, anchor: str | None, **options: object) -> None:
        prev_hash = self._hash_before(from_seq)
        anchored = self._anchor(anchor, from_seq)
        # A break ends the walk early: close the cursor now, while its connection is still open.
        with closing(audit_events_iter(from_seq)) as stream:
            events = ChainTally(stream, head=prev_hash, seq=from_seq - 1)
            broken = verify_chain(
                events, start_prev_hash=prev_hash, start_seq=from_seq, anchor=anchored
            )
        if broken:
            self.stderr.write(f"audit chain broken at seq {broken.seq}: {broken.reason}")
            raise SystemExit(1)
        found = f"; anchor {anchored.seq} matches" if anchored else ""
        self.stdout.write(f"audit chain intact: {events.count} events, head {events.anchor}{found}")

    def _hash_before(self, from_seq: int) -> str:
        if from_seq < 1:
            raise CommandError("--from-seq must be 1 or more")
        if from_seq == 1:
            return GENESIS_HASH
        prev_hash = audit_event_hash(from_seq - 1)
        if prev_hash is None:
            raise CommandError(f"cannot start at seq {from_seq}: event {from_seq - 1} not found")
        return prev_hash

    def _anchor(self, text: str | None, from_seq: int) -> Anchor | None:
        if text is None:
            return None
        try:
            anchor = anchor_parse(text)
        except ValueError as error:
            raise CommandError(f"--anchor: {error}") from None
        if anchor.seq < from_seq:
            raise CommandError(
                f"--anchor names seq {anchor.seq}, before --from-seq {from_seq}: "
                "start at or before the anchored event"
            )
        return anchor
