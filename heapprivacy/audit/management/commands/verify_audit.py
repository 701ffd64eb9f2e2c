"""Recompute the audit hash chain from the database and report the first broken event."""

from argparse import ArgumentParser
from contextlib import closing

from django.core.management.base import BaseCommand, CommandError

from heapprivacy.audit.chain import GENESIS_HASH, ChainTally, verify_chain
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

    def handle(self, *args: object, from_seq: int, **options: object) -> None:
        prev_hash = self._hash_before(from_seq)
        # A break ends the walk early: close the cursor now, while its connection is still open.
        with closing(audit_events_iter(from_seq)) as stream:
            events = ChainTally(stream, head=prev_hash)
            broken = verify_chain(events, start_prev_hash=prev_hash, start_seq=from_seq)
        if broken:
            self.stderr.write(f"audit chain broken at seq {broken.seq}: {broken.reason}")
            raise SystemExit(1)
        self.stdout.write(f"audit chain intact: {events.count} events, head {events.head}")

    def _hash_before(self, from_seq: int) -> str:
        if from_seq < 1:
            raise CommandError("--from-seq must be 1 or more")
        if from_seq == 1:
            return GENESIS_HASH
        prev_hash = audit_event_hash(from_seq - 1)
        if prev_hash is None:
            raise CommandError(f"cannot start at seq {from_seq}: event {from_seq - 1} not found")
        return prev_hash
