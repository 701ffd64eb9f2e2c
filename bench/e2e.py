"""End to end: identities from a CSV file to Heap-confirmed, and the raw floor for the same rows.

    .venv/bin/python bench/e2e.py [--subjects 1000000] [--singles 200000] [--modes sweeps,worker]

Two shapes: SUBJECTS identities in one request, and SINGLES one-subject requests. Each runs on a
fresh database against the sandbox (deletions complete at once), in two ways: `import_requests
--approve` then `run_sweeps --once` until every request is completed; and the same import with a
real Celery worker + beat doing the rest. Printed per stage: seconds, rows/s, peak RSS of every
process, SQL statements sent through Django (COPY streams are one statement each and not
counted), and the Heap calls the sandbox saw. Packing and the first poll do not wait
(`BATCH_LINGER=0`, `POLL_FIRST_DELAY=0`): the figures are the product's work, not its timers.
The raw floor: the rows stream-parsed into a table with psycopg `COPY`, then claimed and marked
erased 10,000 at a time through a partial index.
"""

import argparse
import csv
import math
import os
import signal
import subprocess
import time
from pathlib import Path

import psycopg
from support import (
    ACCOUNT,
    DATABASE_URL,
    PYTHON,
    ROOT,
    WORK,
    Results,
    Sandbox,
    account_add,
    database_fresh,
    environment,
    group_pids,
    peak_rss_mib,
    run,
    sandbox,
    sql,
)  # fmt: skip

BATCH = 10_000
STAGE = str(ROOT / "bench" / "stage.py")


def csv_write(path: Path, rows: int, *, one_request: bool) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        if one_request:
            out.write("identity,external_ref\n")
            out.writelines(f"user-{n}@example.com,BENCH-BIG\n" for n in range(rows))
        else:
            out.write("identity\n")
            out.writelines(f"single-{n}@example.com\n" for n in range(rows))
    return path


def stage(*args: str) -> tuple[float, float, int]:
    """A command in its own process: seconds, peak RSS MiB, SQL statements."""
    done = run([PYTHON, STAGE, *args])
    statements = int(done.stdout.strip().rsplit("\n", 1)[-1].split()[1])
    return done.seconds, done.peak_rss_mib, statements


def open_requests() -> int:
    return sql("SELECT count(*) FROM erasure_erasurerequest WHERE state <> 'completed'")[0][0]


def import_stage(path: Path, rows: int) -> dict:
    seconds, rss, statements = stage("import_requests", str(path), "--account", ACCOUNT,
                                     "--approve", "--json")  # fmt: skip
    return _figures(rows, seconds, rss, statements)


def sweeps_stage(rows: int) -> dict:
    """`run_sweeps --once` until every request is completed."""
    seconds = rss = 0.0
    statements = runs = 0
    while open_requests():
        run_seconds, run_rss, run_statements = stage("run_sweeps", "--once")
        seconds, rss = seconds + run_seconds, max(rss, run_rss)
        statements, runs = statements + run_statements, runs + 1
    return {**_figures(rows, seconds, rss, statements), "runs": runs}


def worker_start() -> subprocess.Popen:
    log = (WORK / "worker.log").open("wb")
    command = [PYTHON, "-m", "celery", "-A", "heapprivacy.celery:app", "worker", "--beat",
               "--concurrency", "2", "--loglevel", "INFO", "--without-gossip",
               "--without-mingle", "--schedule", str(WORK / "celerybeat-schedule")]  # fmt: skip
    worker = subprocess.Popen(command, cwd=ROOT, env=environment(), stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while b"ready." not in (WORK / "worker.log").read_bytes():
        if time.monotonic() > deadline or worker.poll() is not None:
            raise RuntimeError("the worker did not start: see var/bench/worker.log")
        time.sleep(0.2)
    return worker


def worker_stage(rows: int, worker: subprocess.Popen) -> dict:
    """Wait for the worker + beat to complete every request; the peak RSS of its processes."""
    started, rss = time.perf_counter(), 0.0
    while open_requests():
        rss = max([rss, *(peak_rss_mib(pid) for pid in group_pids(worker.pid))])
        time.sleep(0.5)
    rss = max([rss, *(peak_rss_mib(pid) for pid in group_pids(worker.pid))])
    return {**_figures(rows, time.perf_counter() - started, rss, None),
            "note": "the approved import sends the sweeps at once (erasure nudges)"}  # fmt: skip


def worker_stop(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def _figures(rows: int, seconds: float, rss: float, statements: int | None) -> dict:
    return {"seconds": round(seconds, 1), "rows_per_s": round(rows / seconds) if seconds else None,
            "peak_rss_mib": round(rss), "sql_statements": statements}  # fmt: skip


def heap_calls(box: Sandbox, rows: int) -> dict:
    return {**box.calls(), "expected_user_deletion": math.ceil(rows / BATCH)}


def scenario(path: Path, rows: int, mode: str) -> dict:
    database_fresh()
    with sandbox() as box:
        account_add(box)
        figures: dict = {}
        worker = worker_start() if mode == "worker" else None
        try:
            figures["import"] = import_stage(path, rows)
            if worker:
                figures["to_confirmed"] = worker_stage(rows, worker)
            else:
                figures["to_confirmed"] = sweeps_stage(rows)
        finally:
            if worker:
                worker_stop(worker)
        total = figures["import"]["seconds"] + figures["to_confirmed"]["seconds"]
        figures["end_to_end_s"] = round(total, 1)
        figures["heap_calls"] = heap_calls(box, rows)
        figures["completed_requests"] = sql(
            "SELECT count(*) FROM erasure_erasurerequest WHERE state = 'completed'"
        )[0][0]
    return figures


def raw_floor(path: Path, rows: int) -> dict:
    """The same rows the fastest raw way, in a scratch table of the bench database."""
    started = time.perf_counter()
    with psycopg.connect(DATABASE_URL) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_raw")
        connection.execute(
            "CREATE TABLE bench_raw (id bigserial PRIMARY KEY, identity text NOT NULL, "
            "external_ref text, batch integer, state text NOT NULL DEFAULT 'queued')"
        )
        connection.execute("CREATE INDEX bench_raw_queued ON bench_raw (id) WHERE state = 'queued'")
        with path.open(encoding="utf-8", newline="") as lines, connection.cursor() as cursor:
            reader = csv.reader(lines)
            columns = next(reader)
            with cursor.copy(f"COPY bench_raw ({', '.join(columns)}) FROM STDIN") as copy:
                for row in reader:
                    copy.write_row(row)
        connection.commit()
        loaded = time.perf_counter() - started
        for batch in range(math.ceil(rows / BATCH)):
            connection.execute(
                "UPDATE bench_raw SET state = 'batched', batch = %s WHERE id IN (SELECT id FROM "
                "bench_raw WHERE state = 'queued' ORDER BY id LIMIT %s)",
                (batch, BATCH),
            )
            connection.commit()
        for batch in range(math.ceil(rows / BATCH)):
            connection.execute("UPDATE bench_raw SET state = 'erased' WHERE batch = %s", (batch,))
            connection.commit()
        connection.execute("DROP TABLE bench_raw")
        connection.commit()
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "copy_s": round(loaded, 2),
            "rows_per_s": round(rows / seconds)}  # fmt: skip


def shape_run(results: Results, shape: str, rows: int, modes: list[str]) -> None:
    path = csv_write(WORK / f"{shape}.csv", rows, one_request=shape == "one_request")
    for mode in modes:
        results.add(f"{shape}/{mode}", {"rows": rows, **scenario(path, rows, mode)})
    floor = raw_floor(path, rows)
    results.add(f"{shape}/raw_floor", floor)
    best = min(results.figures[f"{shape}/{mode}"]["end_to_end_s"] for mode in modes)
    results.add(f"{shape}/ratio_to_floor", round(best / max(floor["seconds"], 0.01), 1))
    path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--singles", type=int, default=200_000)
    parser.add_argument("--modes", default="sweeps,worker")
    options = parser.parse_args()
    os.environ.update(BATCH_LINGER="0", POLL_FIRST_DELAY="0", LOG_LEVEL="WARNING")
    results = Results("e2e")
    WORK.mkdir(parents=True, exist_ok=True)
    modes = options.modes.split(",")
    for shape, rows in (
        ("one_request", options.subjects),
        ("one_subject_requests", options.singles),
    ):
        if rows:
            shape_run(results, shape, rows, modes)
    print(f"saved {results.save()}")


if __name__ == "__main__":
    main()
