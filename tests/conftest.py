from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import TransactionTestCase

from heapprivacy.audit.protection import protection_suspended
from tests.support.cast import (  # noqa: F401  (the shared cast: fixtures for every test)
    account,
    administrator,
    administrator_client,
    approver,
    approver_client,
    auditor,
    auditor_client,
    client_as,
    idle_account,
    officer,
    officer_client,
    role_clients,
    second_officer,
)


def uses_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Remove a SQLite test database left by an earlier run, with its WAL files.

    Django deletes only the database file; a stale -wal file beside a new database corrupts it.
    """
    test_name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if not uses_postgresql() and test_name:
        for suffix in ("", "-wal", "-shm"):
            Path(test_name + suffix).unlink(missing_ok=True)


# What `make test-fast` leaves out (`-m "not slow"`): a real browser, real processes, and the
# tests that load large data, wait out a timeout or fuzz the whole API. Each is marked `slow`
# here or by its module.
SLOW_DIRECTORIES = ("e2e",)
SLOW_MARKERS = ("integration",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
    if uses_postgresql():
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (row locks, triggers): set DATABASE_URL=postgres://… to run it"
    )
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


def _is_slow(item: pytest.Item) -> bool:
    in_slow_directory = Path(item.path).parent.name in SLOW_DIRECTORIES
    return in_slow_directory or any(item.get_closest_marker(name) for name in SLOW_MARKERS)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_triggers() -> Iterator[None]:
    """Let transactional tests' teardown empty the append-only audit table.

    After each transactional test (django_db(transaction=True), transactional_db, live_server)
    Django flushes every table with TRUNCATE (PostgreSQL) or DELETE (SQLite), which the audit
    triggers refuse. The flush runs with them lifted, in one transaction that restores them.
    """
    flush = TransactionTestCase._fixture_teardown

    def flush_past_the_audit_triggers(test_case: TransactionTestCase) -> None:
        with ExitStack() as lifted:
            for alias in test_case._databases_names(include_mirrors=False):
                lifted.enter_context(protection_suspended(connections[alias]))
            flush(test_case)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", flush_past_the_audit_triggers)
        yield
