from argparse import ArgumentParser
from collections.abc import Callable

from django.core.management.base import BaseCommand

from heapprivacy.erasure.pipeline.polling import batch_poll
from heapprivacy.erasure.pipeline.submission import batch_submit
from heapprivacy.erasure.pipeline.sweeps import SweepReport, sweeps_run
from heapprivacy.erasure.tasks import poll_batch, submit_batch
from heapprivacy.notifications.services import notification_send, notifications_sweep
from heapprivacy.notifications.tasks import send_notification


class Command(BaseCommand):
    help = "Run every sweep: recover leases, pack, submit ready batches, poll due ones."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do the Heap calls here, without Celery (for cron and debugging).",
        )

    def handle(self, *args: object, once: bool, **options: object) -> None:
        if once:
            report = _until_done(submit=batch_submit, poll=batch_poll)
            emails = notifications_sweep(send=notification_send)
        else:
            report = _until_done(submit=submit_batch.delay, poll=poll_batch.delay)
            emails = notifications_sweep(send=send_notification.delay)
        self.stdout.write(
            f"recovered {len(report.recovered)}, packed {len(report.packed)}, "
            f"submitted {len(report.dispatched)}, polled {len(report.polled)} batches; "
            f"{len(emails)} emails due"
        )


def _until_done(submit: Callable[[int], object], poll: Callable[[int], object]) -> SweepReport:
    """Sweep again while a sweep stops at its packing budget with work left; all they did."""
    total = SweepReport(more=True)
    while total.more:
        report = sweeps_run(submit=submit, poll=poll)
        for name in ("recovered", "packed", "dispatched", "polled"):
            getattr(total, name).extend(getattr(report, name))
        total.more = report.more
    return total
