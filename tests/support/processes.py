"""Real processes for integration tests: a Celery worker on the configured broker and database."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from heapprivacy.celery import app as celery_app


def worker_database_url() -> str:
    """The URL of the database the tests run on (the test database, not the configured one)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Worker:
    hostname: str
    process: subprocess.Popen

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once, as a crash or OOM kill would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextmanager
def celery_worker(
    log_dir: Path, concurrency: int = 1, env: dict | None = None, purge: bool = True
) -> Iterator[Worker]:
    """Run `celery worker` against the test database and broker."""
    if purge:
        celery_app.control.purge()
    hostname = f"test-{uuid.uuid4().hex[:8]}@localhost"
    arguments = [
        "worker", "--hostname", hostname, "--concurrency", str(concurrency),
        "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    with _celery(log_dir / f"{hostname}.log", arguments, env) as process:
        yield Worker(hostname, process)


@contextmanager
def celery_beat(log_dir: Path, env: dict | None = None) -> Iterator[subprocess.Popen]:
    """Run `celery beat` (its own schedule file) against the test database and broker."""
    name = f"beat-{uuid.uuid4().hex[:8]}"
    schedule = log_dir / f"{name}-schedule"
    with _celery(log_dir / f"{name}.log", ["beat", "--schedule", str(schedule)], env) as process:
        yield process


@contextmanager
def _celery(log_path: Path, arguments: list[str], env: dict | None) -> Iterator[subprocess.Popen]:
    command = [
        sys.executable, "-m", "celery", "-A", "heapprivacy.celery:app", *arguments,
        "--loglevel", "INFO",
    ]  # fmt: skip
    full_env = {**os.environ, "DATABASE_URL": worker_database_url(), **(env or {})}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        _stop_group(process)
        # Shown by pytest only when the test fails.
        print(log_path.read_text(errors="replace")[-6000:])


def _stop_group(process: subprocess.Popen) -> None:
    """SIGTERM the worker's whole process group, SIGKILL what is left after 20 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def wait_until(
    condition: Callable[[], object], timeout: float = 60, what: str = "", interval: float = 0.1
) -> object:
    """Poll `condition` until it returns something truthy; fail the test after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")


@contextmanager
def tasks_in_process() -> Iterator[None]:
    """A task sent (on commit) runs at once, in this process, and its errors fail the test."""
    names = ("task_always_eager", "task_eager_propagates")
    before = {name: celery_app.conf[name] for name in names}
    celery_app.conf.update(dict.fromkeys(names, True))
    try:
        yield
    finally:
        celery_app.conf.update(before)
