from pathlib import Path

import pytest
from django.conf import settings


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if uses_postgresql():
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (row locks, triggers): set DATABASE_URL=postgres://… to run it"
    )
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
