"""The append-only triggers on the audit table: inspect them, and lift them for a moment.

Migration 0002 installs the triggers. Lifting them is for two callers only: the test suite's
teardown flush (TransactionTestCase empties every table, which the triggers refuse) and tests
that play a database owner tampering with a row. The application never lifts them, and under
the role set-up in README.md ("Audit trail") it cannot: only the table's owner or a superuser
may disable or drop a trigger.

Suspending saves what is installed and restores exactly that, so this module does not repeat the
migration's SQL: on PostgreSQL each trigger's enabled mode (ENABLE ALWAYS for ours), on SQLite
each trigger's CREATE statement as sqlite_master keeps it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

AUDIT_TABLE = "audit_auditevent"

# pg_trigger.tgenabled → the ALTER TABLE clause that sets it.
POSTGRESQL_MODES = {
    "A": "ENABLE ALWAYS TRIGGER",
    "O": "ENABLE TRIGGER",
    "R": "ENABLE REPLICA TRIGGER",
    "D": "DISABLE TRIGGER",
}


@dataclass(frozen=True)
class SuspendedProtection:
    """The triggers that protection_disable lifted: name → mode (PostgreSQL) or SQL (SQLite)."""

    triggers: dict[str, str]


def protection_triggers(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The user triggers on the audit table: name → enabled mode (PostgreSQL: "A" is ALWAYS,
    "D" disabled) or CREATE statement (SQLite). Empty when the table does not exist."""
    if connection.vendor == "postgresql":
        sql = (
            "SELECT tgname, tgenabled FROM pg_trigger"
            " WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal ORDER BY tgname"
        )
    elif connection.vendor == "sqlite":
        sql = (
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'trigger' AND tbl_name = %s ORDER BY name"
        )
    else:
        raise NotImplementedError(f"no append-only triggers for {connection.vendor}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [AUDIT_TABLE])
        return dict(cursor.fetchall())


def protection_disable(connection: BaseDatabaseWrapper) -> SuspendedProtection:
    """Lift every trigger on the audit table, as its owner would; returns what to restore.

    Call it inside a transaction that also restores them (protection_suspended does), so that
    no other connection ever sees the table unprotected and a failure rolls the lifting back.
    """
    triggers = protection_triggers(connection)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name in triggers:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {quote(AUDIT_TABLE)} DISABLE TRIGGER {quote(name)}")
            else:
                cursor.execute(f"DROP TRIGGER {quote(name)}")
    return SuspendedProtection(triggers)


def protection_enable(connection: BaseDatabaseWrapper, suspended: SuspendedProtection) -> None:
    """Put back exactly the triggers that protection_disable lifted."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, saved in suspended.triggers.items():
            if connection.vendor == "postgresql":
                clause = POSTGRESQL_MODES[saved]
                cursor.execute(f"ALTER TABLE {quote(AUDIT_TABLE)} {clause} {quote(name)}")
            else:
                cursor.execute(saved)


@contextmanager
def protection_suspended(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Run the body with the audit triggers lifted, in one transaction that restores them.

    Both PostgreSQL and SQLite have transactional DDL: other connections never see the table
    unprotected, and if the body raises, the rollback restores the triggers with everything else.
    """
    with transaction.atomic(using=connection.alias):
        suspended = protection_disable(connection)
        yield
        protection_enable(connection, suspended)
