"""Peak Python memory (tracemalloc) and time of the CSV preview and import, by row count.

Run from the repository root, on its own database:
    DEBUG=true VAR_DIR=var/bench .venv/bin/python bench/import_memory.py 200000 [ROWS_PER_REQUEST]
Memory should stay flat as ROWS grows. One row in a thousand is a duplicate, one is refused.
"""

import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heapprivacy.settings")
import django

django.setup()
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from heapprivacy.audit.actors import Actor  # noqa: E402
from heapprivacy.erasure.accounts import heap_account_create  # noqa: E402
from heapprivacy.erasure.imports.import_preview import requests_preview  # noqa: E402
from heapprivacy.erasure.imports.importer import requests_import  # noqa: E402
from heapprivacy.erasure.models import HeapAccount  # noqa: E402

# With DEBUG on, Django keeps every query it ran: that is neither production nor flat.
settings.DEBUG = False
ACTOR = Actor.system("bench")


def write(path: Path, rows: int, per_request: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("identity,external_ref\n")
        for n in range(rows):
            if n % 1000 == 999:
                out.write(f"user-{n - 500}@example.com,REF-{n // per_request}\n")
            elif n % 1000 == 998:
                out.write(f"{'x' * 256},REF-{n // per_request}\n")
            else:
                out.write(f"user-{n}@example.com,REF-{n // per_request}\n")


def measure(label: str, run: Callable[[], object]) -> object:
    tracemalloc.start()
    started = time.perf_counter()
    result = run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<10} peak {peak / 2**20:7.2f} MiB   {time.perf_counter() - started:6.1f} s")
    return result


def main(rows: int, per_request: int) -> None:
    call_command("migrate", verbosity=0)
    account = HeapAccount.objects.filter(label="bench").first() or heap_account_create(
        label="bench", app_id="1", api_key="bench-key-not-secret", actor=ACTOR
    )
    path = Path(tempfile.mkdtemp()) / "requests.csv"
    write(path, rows, per_request)
    print(f"{rows:,} rows, {path.stat().st_size / 2**20:.1f} MiB, {rows // per_request:,} requests")
    with path.open("rb") as lines:
        report = measure("preview", lambda: requests_preview(lines, account=account))
    print(f"           {report.subjects:,} subjects, {report.refused:,} refused")
    with path.open("rb") as lines:
        report = measure(
            "import", lambda: requests_import(lines, account=account, actor=ACTOR, keep=200)
        )
    print(f"           {report.subjects:,} subjects in {report.requests:,} requests")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 100)
