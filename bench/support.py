"""What every benchmark needs: the machine, a bench database, the sandbox, timed child processes
with their peak RSS, and a results file.

Benchmarks print figures and never pass or fail on time. They run against PostgreSQL and Redis
(`BENCH_DATABASE_URL`, `BENCH_BROKER_URL`, defaults below) with production settings (DEBUG off,
secrets made up for the run), and start the Heap sandbox they talk to.
"""

import json
import os
import platform
import re
import secrets
import subprocess
import sys
import time
from base64 import urlsafe_b64encode
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
# The API load makes its own data and the end-to-end runs start afresh; the console and export
# benchmarks share one loaded database.
_DATABASES = {"api_load": "heapprivacy_bench_api", "e2e": "heapprivacy_bench_e2e"}
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL",
    "postgres://heapprivacy@127.0.0.1:5432/"
    + _DATABASES.get(Path(sys.argv[0]).stem, "heapprivacy_bench"),
)
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/12")
SANDBOX_APP_ID = "4242424242"
SANDBOX_KEY = "bench-sandbox-key"  # the sandbox's made-up key
ACCOUNT = "bench"
WORK = ROOT / "var" / "bench"


def _secrets() -> dict[str, str]:
    """Made-up production secrets, the same for every process of one bench run."""
    path = WORK / "secrets.json"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "SECRET_KEY": secrets.token_urlsafe(64),
                    "FIELD_ENCRYPTION_KEYS": urlsafe_b64encode(os.urandom(32)).decode(),
                    "PSEUDONYM_KEY": secrets.token_urlsafe(48),
                }
            )
        )
    return json.loads(path.read_text())


def environment(**extra: str) -> dict[str, str]:
    """Production settings on the bench database and broker."""
    return {
        **os.environ,
        **_secrets(),
        "DEBUG": "false",
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "CACHE_URL": CACHE_URL,
        "VAR_DIR": str(WORK / "var"),
        "SECURE_SSL_REDIRECT": "false",
        **extra,
    }


def machine() -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text()
    total_kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    with psycopg.connect(_admin_url(), autocommit=True) as connection:
        server = connection.execute("SHOW server_version").fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(total_kib / 2**20, 1),
        "load": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
        "postgresql": server,
        "kernel": platform.release(),
    }


def database_fresh() -> None:
    """Drop and re-create the bench database, then migrate it."""
    name = urlsplit(DATABASE_URL).path.lstrip("/")
    with psycopg.connect(_admin_url(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    manage("migrate", "--noinput", "-v0")


def _admin_url() -> str:
    return urlsplit(DATABASE_URL)._replace(path="/postgres").geturl()


def sql(query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        cursor = connection.execute(query, params)
        return cursor.fetchall() if cursor.description else []


@dataclass
class Run:
    seconds: float
    peak_rss_mib: float
    stdout: str


def manage(*args: str, env: dict[str, str] | None = None) -> Run:
    """Run `manage.py ARGS` as its own process: wall time and peak RSS (from wait4)."""
    return run([PYTHON, str(ROOT / "manage.py"), *args], env=env)


def run(command: list[str], env: dict[str, str] | None = None) -> Run:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env or environment(), stdout=subprocess.PIPE, text=True
    )
    stdout = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode:
        name = " ".join(command[1:3])
        raise RuntimeError(f"{name} exited {process.returncode}: {stdout[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, stdout)


def peak_rss_mib(pid: int) -> float:
    """The high-water RSS of a running process (VmHWM), 0 if it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0.0
    found = re.search(r"VmHWM:\s+(\d+)", status)
    return int(found.group(1)) / 1024 if found else 0.0


def group_pids(pgid: int) -> list[int]:
    """Every live process of a process group (a worker and its pool children)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    pids.append(int(entry.name))
            except ProcessLookupError:
                continue
    return pids


@dataclass
class Sandbox:
    url: str
    process: subprocess.Popen

    def calls(self) -> dict[str, int]:
        """Heap calls by endpoint: auth_token, user_deletion, deletion_status."""
        counts: dict[str, int] = {}
        for call in requests.get(f"{self.url}/_sandbox/calls", timeout=30).json()["calls"]:
            counts[call["name"]] = counts.get(call["name"], 0) + 1
        return counts

    def reset(self) -> None:
        requests.post(f"{self.url}/_sandbox/reset", timeout=30).raise_for_status()


@contextmanager
def sandbox():
    """The Heap sandbox on a free port, completing deletions at once, and the bench account on
    it in the bench database."""
    process = subprocess.Popen(
        [PYTHON, "-m", "heapprivacy.sandbox", "--port", "0", "--quiet", "--complete-after", "0",
         "--account", f"{SANDBOX_APP_ID}:{SANDBOX_KEY}"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for line in process.stdout:
            if "listening on" in line:
                url = line.split("listening on", 1)[1].strip()
                break
        box = Sandbox(url, process)
        yield box
    finally:
        process.terminate()
        process.wait()


def account_add(box: Sandbox) -> None:
    env = environment(BENCH_HEAP_KEY=SANDBOX_KEY)
    manage(
        "heap_account", "add", "--label", ACCOUNT, "--app-id", SANDBOX_APP_ID,
        "--api-key-env", "BENCH_HEAP_KEY", "--deletion-url", box.url, "--ingestion-url", box.url,
        env=env,
    )  # fmt: skip


@dataclass
class Results:
    """One benchmark's figures: printed as they come, saved as bench/results/<date>-<name>.json."""

    name: str
    figures: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.figures["machine"] = machine()
        self.figures["started"] = datetime.now(UTC).isoformat(timespec="seconds")
        print(f"== {self.name}  {json.dumps(self.figures['machine'])}", flush=True)

    def add(self, key: str, value: Any) -> None:
        self.figures[key] = value
        print(f"{key}: {json.dumps(value)}", flush=True)

    def save(self) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{datetime.now(UTC).date().isoformat()}-{self.name}.json"
        path.write_text(json.dumps(self.figures, indent=2) + "\n")
        return path
