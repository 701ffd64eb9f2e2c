"""The intake REST API under load: concurrent clients creating erasure requests for a while.

Run from the repository root (PostgreSQL and Redis up, see bench/support.py):
    .venv/bin/python bench/api_load.py [--seconds 30] [--clients 8]

Gunicorn serves production settings (DEBUG off) on 127.0.0.1 behind a pretend TLS proxy
(X-Forwarded-Proto: https). Each client thread POSTs /api/v1/requests, one new identity per call
with its own Idempotency-Key, for the whole duration. Printed: requests/s, latency percentiles,
errors by status (a 429 is an error), whether the audit chain still verifies, requests in the
database against 201 answers, and the peak RSS of the gunicorn processes. Then the raw floor:
the same number of clients creating rows straight through psycopg, serialised the same way.
"""

import argparse
import math
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
import requests
from support import (
    ACCOUNT,
    DATABASE_URL,
    PYTHON,
    ROOT,
    WORK,
    Results,
    account_add,
    database_fresh,
    environment,
    group_pids,
    manage,
    peak_rss_mib,
    sandbox,
    sql,
)

# The default 120/m per client would refuse most of the run. With a one-second window the
# throttle still runs on every call, and its history in the cache holds about a second of calls,
# near the default's 120 entries, so what it costs per call stays about what production pays.
RATE_LIMIT = "10000/s"
TARGETS = {"requests_per_s": ">= 150", "p99_ms": "<= 250", "errors": "0"}
READY_TIMEOUT = 60
LOG = WORK / "api_load-gunicorn.log"


@dataclass
class Tally:
    """What the clients saw: latency of every answer (ms) and the count of each outcome."""

    latencies_ms: list[float] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, milliseconds: float, outcome: str) -> None:
        with self.lock:
            self.latencies_ms.append(milliseconds)
            self.outcomes[outcome] += 1


def token_create() -> str:
    """A client allowed to create requests; `api_client create` prints only its token."""
    return manage("api_client", "create", "api-load", "--scope", "requests:create").stdout.strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_start(port: int, workers: int) -> subprocess.Popen:
    env = environment(SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO", API_RATE_LIMIT=RATE_LIMIT)
    with LOG.open("w") as log:
        return subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "heapprivacy.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--no-control-socket"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def ready_wait(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited {server.returncode}: see {LOG}")
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"gunicorn did not answer /healthz within {READY_TIMEOUT} s")


@contextmanager
def gunicorn(workers: int) -> Iterator[tuple[str, subprocess.Popen]]:
    """Gunicorn on a free port, answering /healthz: its base URL and its master process."""
    port = free_port()
    server = gunicorn_start(port, workers)
    try:
        base = f"http://127.0.0.1:{port}"
        ready_wait(base, server)
        yield base, server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def rss_figures(server: subprocess.Popen) -> dict[str, float]:
    """Peak RSS (VmHWM) of the master and of each worker, read while they still run."""
    workers = [pid for pid in group_pids(server.pid) if pid != server.pid]
    peaks = [peak_rss_mib(pid) for pid in workers]
    return {
        "master_mib": round(peak_rss_mib(server.pid), 1),
        "worker_max_mib": round(max(peaks, default=0.0), 1),
        "workers_total_mib": round(sum(peaks), 1),
        "workers_seen": len(workers),
    }


def body(client: int, n: int) -> dict:
    return {
        "subjects": [{"kind": "identity", "value": f"api-load-{client}-{n}@example.com"}],
        "heap_account": ACCOUNT,
        "external_ref": f"api-load-{client}-{n}",
    }


def client_loop(client: int, url: str, token: str, deadline: float, tally: Tally) -> None:
    with requests.Session() as session:
        session.headers.update({"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https"})
        n = 0
        while time.monotonic() < deadline:
            headers = {"Idempotency-Key": str(uuid.uuid4())}
            started = time.perf_counter()
            try:
                answer = session.post(url, json=body(client, n), headers=headers, timeout=30)
                outcome = str(answer.status_code)
            except requests.RequestException as error:
                outcome = type(error).__name__
            tally.record((time.perf_counter() - started) * 1000, outcome)
            n += 1


def load(url: str, token: str, clients: int, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(target=client_loop, args=(client, url, token, deadline, tally))
        for client in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - started


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return 0.0
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def load_figures(tally: Tally, elapsed: float) -> dict:
    ordered = sorted(tally.latencies_ms)
    created = tally.outcomes.get("201", 0)
    return {
        "calls": len(ordered),
        "created_201": created,
        "requests_per_s": round(created / elapsed, 1),
        "calls_per_s": round(len(ordered) / elapsed, 1),
        "p50_ms": round(percentile(ordered, 0.50), 1),
        "p99_ms": round(percentile(ordered, 0.99), 1),
        "max_ms": round(ordered[-1] if ordered else 0.0, 1),
        "errors": {outcome: n for outcome, n in sorted(tally.outcomes.items()) if outcome != "201"},
    }


RAW_TABLES = """
DROP TABLE IF EXISTS bench_raw_requests, bench_raw_events, bench_raw_counter;
CREATE TABLE bench_raw_counter (n bigint NOT NULL, head text NOT NULL);
INSERT INTO bench_raw_counter VALUES (0, '');
CREATE TABLE bench_raw_requests (id bigserial PRIMARY KEY, reference text UNIQUE NOT NULL,
    identity text NOT NULL, received_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE bench_raw_events (seq bigint PRIMARY KEY, action text NOT NULL, hash text NOT NULL);
"""
RAW_CREATE = """
WITH counter AS (UPDATE bench_raw_counter SET n = n + 1 RETURNING n, head),
request AS (INSERT INTO bench_raw_requests (reference, identity)
    SELECT 'RAW-' || n, %s FROM counter RETURNING id)
INSERT INTO bench_raw_events (seq, action, hash)
    SELECT n * 2 + step, action, md5(head || action || n) FROM counter, request,
    (VALUES (0, 'request.created'), (1, 'request.received')) AS e (step, action)
"""


def raw_floor(clients: int, seconds: float) -> dict:
    """The same creates the fastest raw way: a psycopg connection per client, each create one
    transaction that takes the one counter row (the reference and the chain head, as the
    product serialises them) and inserts the request and its two events."""
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        connection.execute(RAW_TABLES)
    tally = Tally()
    started = time.monotonic()
    threads = [
        threading.Thread(target=_raw_client, args=(client, started + seconds, tally))
        for client in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures = load_figures(tally, time.monotonic() - started)
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        connection.execute("DROP TABLE bench_raw_requests, bench_raw_events, bench_raw_counter")
    return figures


def _raw_client(client: int, deadline: float, tally: Tally) -> None:
    with psycopg.connect(DATABASE_URL) as connection:
        n = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            connection.execute(RAW_CREATE, (f"raw-{client}-{n}@example.com",))
            connection.commit()
            tally.record((time.perf_counter() - started) * 1000, "201")
            n += 1


def audit_verified() -> dict:
    try:
        return {"intact": True, "report": manage("verify_audit").stdout.strip()}
    except RuntimeError as error:
        return {"intact": False, "report": str(error)}


def database_figures(created: int) -> dict:
    """Requests the API stored, which should be exactly one per 201 answer."""
    query = "SELECT count(*) FROM erasure_erasurerequest WHERE source = 'api'"
    stored = sql(query)[0][0]
    return {"api_requests": stored, "equals_201s": stored == created}


def main(seconds: float, clients: int) -> None:
    results = Results("api_load")
    workers = 2 * os.cpu_count() + 1
    setup = {"clients": clients, "seconds": seconds, "gunicorn_workers": workers}
    results.add("setup", {**setup, "API_RATE_LIMIT": RATE_LIMIT, "targets": TARGETS})
    database_fresh()
    with sandbox() as box:
        account_add(box)
        token = token_create()
        with gunicorn(workers) as (base, server):
            tally, elapsed = load(f"{base}/api/v1/requests", token, clients, seconds)
            figures = load_figures(tally, elapsed)
            results.add("load", figures)
            results.add("gunicorn_peak_rss", rss_figures(server))
    results.add("database", database_figures(figures["created_201"]))
    results.add("audit", audit_verified())
    floor = raw_floor(clients, seconds)
    results.add("raw_floor", floor)
    results.add("ratio_to_floor", round(floor["requests_per_s"] / figures["requests_per_s"], 1))
    print(f"saved {results.save()}")
    summary(figures)


def summary(figures: dict) -> None:
    errors = sum(figures["errors"].values())
    print(f"requests/s {figures['requests_per_s']:>8}   target {TARGETS['requests_per_s']}")
    print(f"p99 ms     {figures['p99_ms']:>8}   target {TARGETS['p99_ms']}")
    print(f"errors     {errors:>8}   target {TARGETS['errors']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8)
    arguments = parser.parse_args()
    main(arguments.seconds, arguments.clients)
