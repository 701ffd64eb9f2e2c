"""Console pages on a loaded database: server time (p50, p95, max) and SQL queries per page.

Run from the repository root:
    .venv/bin/python bench/console.py [--subjects N] [--singles M]

The bench database then holds one request naming N identities (default 1,000,000) and M
one-subject requests (default 200,000), all erased through the Heap sandbox: `ensure_loaded`
makes it so once and keeps it for the next run (bench/exports.py uses it too). Each page is
fetched in this process through Django's test client, logged in as a privacy officer, with
production settings: WARMUP fetches first, then SAMPLES timed ones, each counting its queries
and the time spent in them: the ratio of the page's time to its SQL's is the reference.
Target: p95 ≤ 300 ms per page. Figures go to bench/results/<date>-console.json.
"""

import argparse
import math
import os
import secrets
import statistics
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import psycopg
from support import (
    ACCOUNT,
    WORK,
    Results,
    account_add,
    database_fresh,
    environment,
    manage,
    sandbox,
    sql,
)

BIG_REF = "BENCH-BIG"
SAMPLES = 20
WARMUP = 2
TARGET_P95_MS = 300
PAGE_SIZE = 50  # heapprivacy.console.selectors.PAGE_SIZE
OFFICER = "bench-officer"
# The sweeps pack at once and poll as soon as a batch is accepted: the load waits for nothing
# (and logs no line per Heap call).
SWEEP_ENV = {"BATCH_LINGER": "0", "POLL_FIRST_DELAY": "0", "LOG_LEVEL": "WARNING"}
MAX_IDLE_SWEEPS = 3


def load_options(description: str) -> argparse.Namespace:
    """The sizes of the loaded database, as both benchmarks take them."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--subjects", type=int, default=1_000_000, help="identities of the big request"
    )
    parser.add_argument("--singles", type=int, default=200_000, help="one-subject requests")
    return parser.parse_args()


# --- The loaded database ----------------------------------------------------------------------


def ensure_loaded(subjects: int, singles: int) -> dict[str, Any]:
    """Load the bench database unless it already holds this data; what the load took."""
    if _loaded(subjects, singles):
        print(f"bench database already loaded: {subjects:,} subjects, {singles:,} singles")
        return {"subjects": subjects, "singles": singles, "reused": True}
    print(f"loading {subjects:,} subjects in {BIG_REF} and {singles:,} one-subject requests")
    started = time.perf_counter()
    database_fresh()
    with sandbox() as box:
        account_add(box)
        imports = {
            "big": _import("big", (f"big-{n}@bench.example,{BIG_REF}\n" for n in range(subjects))),
            # No external_ref: each row is a request of its own (importer.py).
            "singles": _import("singles", (f"single-{n}@bench.example,\n" for n in range(singles))),
        }
        sweeps = _erase_all()
    figures = {
        "subjects": subjects,
        "singles": singles,
        "reused": False,
        "import_s": imports,
        "sweeps_s": round(sweeps, 1),
        "total_s": round(time.perf_counter() - started, 1),
    }
    print(f"loaded in {figures['total_s']:,.1f} s")
    return figures


def _loaded(subjects: int, singles: int) -> bool:
    """One completed BIG_REF of `subjects`, at least `singles` others, nothing left open."""
    try:
        big, others, unfinished = sql(
            "SELECT count(*) FILTER (WHERE external_ref = %s AND subject_count = %s), "
            "count(*) FILTER (WHERE external_ref <> %s), "
            "count(*) FILTER (WHERE state <> 'completed') FROM erasure_erasurerequest",
            (BIG_REF, subjects, BIG_REF),
        )[0]
    except psycopg.Error:  # no bench database yet, or not migrated
        return False
    return big == 1 and others >= singles and unfinished == 0


def _import(name: str, rows: Iterable[str]) -> float:
    """Write the rows under an `identity,external_ref` header, import and approve them."""
    path = WORK / f"load-{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("identity,external_ref\n")
        out.writelines(rows)
    try:
        run = manage("import_requests", str(path), "--account", ACCOUNT, "--approve", "--json")
    finally:
        path.unlink()
    print(f"imported {name} in {run.seconds:,.1f} s, peak RSS {run.peak_rss_mib:,.0f} MiB")
    return round(run.seconds, 1)


def _erase_all() -> float:
    """Sweep until every request is completed; raise when sweeps stop making progress."""
    started = time.perf_counter()
    idle, left = 0, _unfinished()
    while left:
        manage("run_sweeps", "--once", env=environment(**SWEEP_ENV))
        now_left = _unfinished()
        idle = idle + 1 if now_left == left else 0
        if idle >= MAX_IDLE_SWEEPS:
            raise RuntimeError(f"sweeps stopped with {now_left} requests unfinished: {_states()}")
        left = now_left
        print(f"  {left:,} requests left after {time.perf_counter() - started:,.0f} s")
    return time.perf_counter() - started


def _unfinished() -> int:
    return sql("SELECT count(*) FROM erasure_erasurerequest WHERE state <> 'completed'")[0][0]


def _states() -> dict[str, int]:
    requests = sql("SELECT state, count(*) FROM erasure_erasurerequest GROUP BY state")
    batches = sql("SELECT state, count(*) FROM erasure_deletionbatch GROUP BY state")
    return {f"requests.{s}": n for s, n in requests} | {f"batches.{s}": n for s, n in batches}


# --- The pages --------------------------------------------------------------------------------


def pages() -> dict[str, str]:
    """Name -> path of every page timed, the heaviest variants of each."""
    from django.urls import reverse

    big = sql("SELECT reference FROM erasure_erasurerequest WHERE external_ref = %s", (BIG_REF,))
    (total,) = sql("SELECT count(*) FROM erasure_erasurerequest")[0]
    # The last subject imported: a single's identity, searched for by its keyed hash.
    (single,) = sql("SELECT value FROM erasure_subject ORDER BY id DESC LIMIT 1")[0]
    # The batch serving the most requests: its page lists the most of them.
    (batch,) = sql(
        "SELECT batch_id FROM erasure_batchrequest GROUP BY batch_id ORDER BY count(*) DESC LIMIT 1"
    )[0]
    (oldest_page,) = sql("SELECT min(seq) + %s FROM audit_auditevent", (PAGE_SIZE,))[0]
    reference = big[0][0]
    requests = reverse("console:request_list")
    audit = reverse("reports:audit_log")
    return {
        "dashboard": reverse("console:dashboard"),
        "request_list": requests,
        "request_list_completed": f"{requests}?state=completed",
        "request_list_search": f"{requests}?{urlencode({'q': single})}",
        "request_list_last_page": f"{requests}?page={math.ceil(total / PAGE_SIZE)}",
        "request_detail_big": reverse("console:request_detail", args=[reference]),
        "batch_list": reverse("console:batch_list"),
        "batch_detail": reverse("console:batch_detail", args=[batch]),
        "audit_log": audit,
        "audit_log_big_request": f"{audit}?request={reference}",
        "audit_log_oldest_page": f"{audit}?before={oldest_page}",
    }


def officer_client() -> Any:
    """A test client logged in as a privacy officer (created once in the bench database)."""
    from django.contrib.auth.models import User
    from django.test import Client

    from heapprivacy.accounts.roles import Role
    from heapprivacy.accounts.services import user_create

    user = User.objects.filter(username=OFFICER).first() or user_create(
        OFFICER, secrets.token_urlsafe(24), [Role.OFFICER]
    )
    client = Client()
    client.force_login(user)
    return client


def page_figures(client: Any, path: str) -> dict[str, Any]:
    """WARMUP fetches, then SAMPLES timed ones: milliseconds and queries per fetch."""
    for _ in range(WARMUP):
        _fetch(client, path)
    samples = [_fetch(client, path) for _ in range(SAMPLES)]
    times = sorted(ms for ms, _, _ in samples)
    queries = {count for _, count, _ in samples}
    sql_ms = statistics.median(ms for _, _, ms in samples)
    return {
        "path": path,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_nearest_rank(times, 0.95), 1),
        "max_ms": round(times[-1], 1),
        "sql_ms": round(sql_ms, 1),
        "ratio_to_sql": round(statistics.median(times) / sql_ms, 1) if sql_ms else None,
        "queries": max(queries) if len(queries) == 1 else sorted(queries),
        "samples": SAMPLES,
        "target": f"p95 <= {TARGET_P95_MS} ms",
    }


def _fetch(client: Any, path: str) -> tuple[float, int, float]:
    """Milliseconds of the fetch, its queries, and milliseconds spent in them (the raw floor:
    the same SQL with nothing around it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path, secure=True, HTTP_HOST="127.0.0.1")
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}: the bench is broken")
    sql_ms = sum(float(query["time"]) for query in captured.captured_queries) * 1000
    return elapsed, len(captured), sql_ms


def _nearest_rank(ordered: list[float], fraction: float) -> float:
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def django_setup() -> None:
    """This process becomes the production web app, on the bench database."""
    os.environ.update(environment(DJANGO_SETTINGS_MODULE="heapprivacy.settings"))
    import django

    django.setup()


def main() -> None:
    options = load_options("Console page times on a loaded bench database.")
    results = Results("console")
    results.add("load", ensure_loaded(options.subjects, options.singles))
    # Production serves hashed static files from a manifest: the pages need it built.
    manage("collectstatic", "--noinput", "-v0")
    django_setup()
    client = officer_client()
    for name, path in pages().items():
        results.add(f"page.{name}", page_figures(client, path))
    print(f"saved {results.save()}")


if __name__ == "__main__":
    main()
