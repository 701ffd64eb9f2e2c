"""How long a small write waits for SQLite's write lock while a CSV import or an export runs.

Run from the repository root:
    .venv/bin/python bench/sqlite_lock.py [ROWS]        (default 100,000 rows, one request each)

On a fresh SQLite file database in a temporary VAR_DIR (DEBUG on, as `make demo`), a worker's
import job of ROWS rows runs here as the worker runs it (`import_job_run`), then the auditor
pack and the register export are built, while a second process writes as the sweeps do, again
and again: the worker heartbeat and one audit event, in one transaction, with a busy timeout of
WRITER_TIMEOUT seconds. For each phase it prints the writes made, the longest and the 99th
percentile of their durations (the wait for the lock is nearly all of it), how many failed
with "database is locked", and the longest time without a write that succeeded.
"""

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

WRITER_TIMEOUT = 2.0  # seconds: the writer's busy timeout, short so that a long lock shows
WRITER_PAUSE = 0.02  # seconds between two writes
SETTLE = 1.0  # seconds the writer runs alone before and after each phase


def setup(var_dir: str) -> None:
    os.environ.update(DEBUG="true", VAR_DIR=var_dir, DJANGO_SETTINGS_MODULE="heapprivacy.settings")
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # or Django keeps every query it ran


def writer(var_dir: str, stop_file: str) -> None:
    """The sweeps' side: write until `stop_file` appears, then print the durations as JSON."""
    setup(var_dir)
    from django.db import OperationalError, connection, transaction

    from heapprivacy.audit.actors import Actor
    from heapprivacy.audit.services import audit_record
    from heapprivacy.ops.services import heartbeat_record

    connection.settings_dict["OPTIONS"]["timeout"] = WRITER_TIMEOUT
    actor = Actor.system("bench writer")
    writes: list[tuple[float, float, bool]] = []  # (started, seconds, failed)
    while not os.path.exists(stop_file):
        started = time.time()
        failed = False
        try:
            with transaction.atomic():
                heartbeat_record("bench-writer")
                audit_record("bench.write", actor=actor, details={"n": len(writes)})
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            failed = True
        writes.append((started, time.time() - started, failed))
        time.sleep(WRITER_PAUSE)
    print(json.dumps(writes))


def csv_write(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("identity,email\n")
        for n in range(rows):
            out.write(f"user-{n}@example.com,user-{n}@example.com\n")


def phases(rows: int, var_dir: str) -> dict[str, tuple[float, float]]:
    """Run each phase; return its (start, end) wall-clock times."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from heapprivacy.audit.actors import Actor
    from heapprivacy.erasure.accounts import heap_account_create
    from heapprivacy.intake.imports import import_job_run, job_csv_path
    from heapprivacy.intake.models import ImportJob
    from heapprivacy.reports.exports import export_open

    user = get_user_model().objects.create_user("bench-officer")
    actor = Actor.for_user(user)
    account = heap_account_create(label="bench", app_id="1", api_key="bench-key-0000", actor=actor)
    token = secrets.token_hex(16)
    csv_write(job_csv_path(token), rows)
    job = ImportJob.objects.create(
        token=token,
        created_by=user,
        account=account,
        name="bench.csv",
        size=job_csv_path(token).stat().st_size,
        rows=rows,
    )
    times = {}
    time.sleep(SETTLE)
    started = time.time()
    import_job_run(job.pk)
    times["import"] = (started, time.time())
    job.refresh_from_db()
    print(f"import: {job.state}, {job.requests:,} requests, {job.subjects:,} subjects")
    for kind, fmt in (("pack", "zip"), ("register", "csv")):
        time.sleep(SETTLE)
        started = time.time()
        for _ in export_open(kind, fmt, actor=actor).content:  # read to the end, as a download
            pass
        times[f"export {kind}"] = (started, time.time())
    time.sleep(SETTLE)
    call_command("verify_audit", verbosity=0)
    return times


def figures(label: str, span: tuple[float, float], writes: list[list[float]]) -> None:
    during = [
        (seconds, failed) for started, seconds, failed in writes if span[0] <= started <= span[1]
    ]
    durations = sorted(seconds for seconds, _ in during)
    failures = sum(failed for _, failed in during)
    p99 = durations[min(len(durations) - 1, int(len(durations) * 0.99))] if durations else 0.0
    longest = durations[-1] if durations else 0.0
    print(
        f"{label:<16} {span[1] - span[0]:6.1f} s   writes {len(durations):5}   "
        f"longest {longest * 1000:6.0f} ms   p99 {p99 * 1000:6.0f} ms   locked {failures:4}   "
        f"longest without a write {stall(span, writes):5.1f} s"
    )


def stall(span: tuple[float, float], writes: list[list[float]]) -> float:
    """The longest time between two writes that succeeded, across `span`: how long the lock
    was out of reach, which a failed write's duration (its busy timeout) does not show."""
    ends = [started + seconds for started, seconds, failed in writes if not failed]
    before = max((end for end in ends if end < span[0]), default=span[0])
    after = min((end for end in ends if end > span[1]), default=span[1])
    inside = [before, *(end for end in ends if span[0] <= end <= span[1]), after]
    return max(b - a for a, b in pairwise(inside))


def main(rows: int) -> None:
    var_dir = tempfile.mkdtemp(prefix="sqlite-lock-")
    setup(var_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    stop_file = os.path.join(var_dir, "stop")
    child = subprocess.Popen(
        [sys.executable, __file__, "--writer", var_dir, stop_file],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        times = phases(rows, var_dir)
    finally:
        Path(stop_file).touch()
        output, _ = child.communicate()
    writes = json.loads(output)
    print(f"{rows:,} rows; writer busy timeout {WRITER_TIMEOUT:.0f} s, {len(writes):,} writes")
    for label, span in times.items():
        figures(label, span, writes)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--writer"]:
        writer(sys.argv[2], sys.argv[3])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
