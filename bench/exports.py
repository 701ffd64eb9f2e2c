"""Exports and audit verification on a loaded database: seconds, rows, rows/s and peak RSS.

Run from the repository root:
    .venv/bin/python bench/exports.py [--subjects N] [--singles M]

Loads the bench database as bench/console.py does (`ensure_loaded`, reused when it already holds
that data), then runs each `manage.py export` to a file and `manage.py verify_audit`, each as its
own process, and as a reference streams the audit table out with a raw COPY through psycopg.
Targets: exports >= 100,000 rows/s with peak RSS <= 150 MB; verify_audit of 1,000,000 events
<= 20 s. The targets are set for 1,000,000 audit events: the figures say when there are fewer.
Figures go to bench/results/<date>-exports.json.
"""

import re
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import psycopg
from console import ensure_loaded, load_options
from support import DATABASE_URL, WORK, Results, manage, sql

TARGET_EVENTS = 1_000_000
EXPORT_TARGET = ">= 100,000 rows/s, peak RSS <= 150 MB"
VERIFY_TARGET = "<= 20 s for 1,000,000 events"
# Each export: its `manage.py export` arguments and the file it writes.
EXPORTS = {
    "register_csv": (["register"], "register.csv"),
    "audit_csv": (["audit", "--format", "csv"], "audit.csv"),
    "audit_jsonl": (["audit", "--format", "jsonl"], "audit.jsonl"),
    "pack_zip": (["pack", "--format", "zip"], "pack.zip"),
}
HEADED = {".csv"}  # files whose first line names the columns
RAW_COPY = "COPY (SELECT * FROM audit_auditevent) TO STDOUT (FORMAT csv)"
OUT = WORK / "exports"


def audit_events() -> dict[str, Any]:
    (count,) = sql("SELECT count(*) FROM audit_auditevent")[0]
    figures: dict[str, Any] = {"count": count}
    if count < TARGET_EVENTS:
        figures["note"] = (
            f"fewer than the {TARGET_EVENTS:,} events the targets are set for: "
            "the rates below are not measured at that size"
        )
    return figures


def startup_figures() -> dict[str, Any]:
    """A manage.py process that does nothing: the part of each figure below that is start-up."""
    run = manage("shell", "--command", "pass")
    return {"seconds": round(run.seconds, 2), "peak_rss_mib": round(run.peak_rss_mib, 1)}


def export_figures(args: list[str], filename: str) -> dict[str, Any]:
    """One `manage.py export` to a file: its time, peak RSS and the rows it wrote."""
    path = OUT / filename
    try:
        run = manage("export", *args, "--output", str(path))
        rows = _pack_rows(path) if path.suffix == ".zip" else _rows(path)
        size = path.stat().st_size
    finally:
        path.unlink(missing_ok=True)
    return {
        "seconds": round(run.seconds, 2),
        "rows": rows,
        "rows_per_s": _rate(rows, run.seconds),
        "peak_rss_mib": round(run.peak_rss_mib, 1),
        "mib": round(size / 2**20, 1),
        "target": EXPORT_TARGET,
    }


def _rows(path: Path) -> int:
    with path.open("rb") as file:
        return _data_lines(iter(lambda: file.read(2**20), b""), headed=path.suffix in HEADED)


def _pack_rows(path: Path) -> dict[str, int]:
    """The register's rows and the audit chain's events in the pack, and their sum."""
    with zipfile.ZipFile(path) as archive:
        counts = {}
        for name in ("register.csv", "audit.jsonl"):
            with archive.open(name) as member:
                chunks = iter(lambda member=member: member.read(2**20), b"")
                counts[name] = _data_lines(chunks, headed=Path(name).suffix in HEADED)
    return counts["register.csv"] + counts["audit.jsonl"]


def _data_lines(chunks: Iterable[bytes], *, headed: bool) -> int:
    return sum(chunk.count(b"\n") for chunk in chunks) - int(headed)


def verify_figures() -> dict[str, Any]:
    run = manage("verify_audit")
    found = re.search(r"intact: (\d+) events", run.stdout)
    if found is None:
        raise RuntimeError(f"verify_audit said: {run.stdout.strip()}")
    events = int(found.group(1))
    return {
        "seconds": round(run.seconds, 2),
        "events": events,
        "events_per_s": _rate(events, run.seconds),
        "peak_rss_mib": round(run.peak_rss_mib, 1),
        "target": VERIFY_TARGET,
    }


def raw_copy_figures() -> dict[str, Any]:
    """The floor: PostgreSQL's COPY of the audit table as CSV, streamed to a file."""
    path = OUT / "raw-audit.csv"
    started = time.perf_counter()
    try:
        rows = _copy_to(path)
        seconds = time.perf_counter() - started
    finally:
        path.unlink(missing_ok=True)
    return {"seconds": round(seconds, 2), "rows": rows, "rows_per_s": _rate(rows, seconds)}


def _copy_to(path: Path) -> int:
    rows = 0
    with (
        psycopg.connect(DATABASE_URL) as connection,
        connection.cursor().copy(RAW_COPY) as copy,
        path.open("wb") as file,
    ):
        for data in copy:
            file.write(data)
            rows += bytes(data).count(b"\n")
    return rows


def _rate(rows: int, seconds: float) -> int:
    return round(rows / seconds) if seconds else 0


def main() -> None:
    options = load_options("Export and verify_audit figures on a loaded bench database.")
    results = Results("exports")
    results.add("load", ensure_loaded(options.subjects, options.singles))
    results.add("audit_events", audit_events())
    OUT.mkdir(parents=True, exist_ok=True)
    results.add("manage_startup", startup_figures())
    for name, (args, filename) in EXPORTS.items():
        results.add(f"export.{name}", export_figures(args, filename))
    results.add("verify_audit", verify_figures())
    results.add("raw_copy_audit_csv", raw_copy_figures())
    print(f"saved {results.save()}")


if __name__ == "__main__":
    main()
