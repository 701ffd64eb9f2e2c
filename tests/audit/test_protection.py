"""The database refuses UPDATE, DELETE and TRUNCATE on audit events (migration audit 0002).

Each refused statement runs in its own atomic() block, so the test's transaction survives the
error; each test then checks that the row is unchanged.
"""

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.protection import (
    protection_disable,
    protection_enable,
    protection_suspended,
    protection_triggers,
)
from heapprivacy.audit.services import audit_record

pytestmark = pytest.mark.django_db

INSTALLED = {
    "postgresql": {"audit_auditevent_append_only": "A", "audit_auditevent_no_truncate": "A"},
    "sqlite": {"audit_auditevent_refuse_delete", "audit_auditevent_refuse_update"},
}


@pytest.fixture
def event() -> AuditEvent:
    return audit_record("batch.released", actor=Actor.system(), details={"members": 1})


def refused(statement: str) -> pytest.RaisesExc:
    return pytest.raises(IntegrityError, match=f"append-only: {statement} refused")


def assert_unchanged(event: AuditEvent) -> None:
    assert [e.to_chain_dict() for e in AuditEvent.objects.all()] == [event.to_chain_dict()]


def execute(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def installed_triggers() -> object:
    triggers = protection_triggers(connection)
    return triggers if connection.vendor == "postgresql" else set(triggers)


def test_the_migration_installs_the_triggers() -> None:
    assert installed_triggers() == INSTALLED[connection.vendor]


@pytest.mark.postgres
def test_on_postgresql_the_triggers_fire_always_even_for_replication_sessions() -> None:
    # "A" is ENABLE ALWAYS: session_replication_role = replica skips "O" triggers, not these.
    assert set(protection_triggers(connection).values()) == {"A"}


def test_an_orm_update_is_refused(event: AuditEvent) -> None:
    with refused("UPDATE"), transaction.atomic():
        AuditEvent.objects.update(action="batch.edited")

    assert_unchanged(event)


def test_saving_a_changed_event_is_refused(event: AuditEvent) -> None:
    event.details = {"members": 0}

    with refused("UPDATE"), transaction.atomic():
        event.save()

    event.refresh_from_db()
    assert_unchanged(event)
    assert event.details == {"members": 1}


def test_an_orm_delete_is_refused(event: AuditEvent) -> None:
    with refused("DELETE"), transaction.atomic():
        AuditEvent.objects.all().delete()

    assert_unchanged(event)


def test_deleting_one_event_is_refused(event: AuditEvent) -> None:
    with refused("DELETE"), transaction.atomic():
        AuditEvent.objects.get(seq=1).delete()

    assert_unchanged(event)


def test_a_raw_sql_update_is_refused(event: AuditEvent) -> None:
    with refused("UPDATE"), transaction.atomic():
        execute("UPDATE audit_auditevent SET actor_label = %s WHERE seq = 1", ["someone else"])

    assert_unchanged(event)


def test_a_raw_sql_delete_is_refused(event: AuditEvent) -> None:
    with refused("DELETE"), transaction.atomic():
        execute("DELETE FROM audit_auditevent")

    assert_unchanged(event)


@pytest.mark.postgres
def test_on_postgresql_truncate_is_refused(event: AuditEvent) -> None:
    with refused("TRUNCATE"), transaction.atomic():
        execute("TRUNCATE audit_auditevent")

    assert_unchanged(event)


def test_inserting_still_works(event: AuditEvent) -> None:
    audit_record("batch.released", actor=Actor.system())

    assert AuditEvent.objects.count() == 2


def test_an_owner_who_disables_the_trigger_can_edit_but_verify_audit_names_the_row(
    event: AuditEvent,
) -> None:
    audit_record("batch.released", actor=Actor.system(), details={"members": 2})
    if connection.vendor == "postgresql":
        execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
    else:
        execute("DROP TRIGGER audit_auditevent_refuse_update")

    execute("UPDATE audit_auditevent SET details = %s WHERE seq = 1", ['{"members": 0}'])

    err = StringIO()
    with pytest.raises(SystemExit, match="1"):
        call_command("verify_audit", stdout=StringIO(), stderr=err)
    assert err.getvalue().startswith("audit chain broken at seq 1: hash mismatch")


def test_suspending_lifts_the_triggers_and_restores_them_exactly(event: AuditEvent) -> None:
    with protection_suspended(connection):
        AuditEvent.objects.update(actor_label="lifted")
        assert installed_triggers() in ({}, set(), dict.fromkeys(INSTALLED["postgresql"], "D"))

    assert installed_triggers() == INSTALLED[connection.vendor]
    assert AuditEvent.objects.get().actor_label == "lifted"
    with refused("UPDATE"), transaction.atomic():
        AuditEvent.objects.update(actor_label="again")


def test_a_failure_while_suspended_rolls_back_and_keeps_the_triggers(event: AuditEvent) -> None:
    def edit_then_fail() -> None:
        with protection_suspended(connection):
            AuditEvent.objects.update(actor_label="lifted")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        edit_then_fail()

    assert installed_triggers() == INSTALLED[connection.vendor]
    assert_unchanged(event)


def test_enable_restores_what_disable_saved(event: AuditEvent) -> None:
    with transaction.atomic():
        suspended = protection_disable(connection)
        protection_enable(connection, suspended)

    assert suspended.triggers == protection_triggers(connection)


@pytest.fixture
def audit_migrated_back() -> Iterator[None]:
    call_command("migrate", "audit", "0001", verbosity=0)
    try:
        yield
    finally:
        call_command("migrate", verbosity=0)  # every app: undoing audit 0002 may undo others


@pytest.mark.django_db(transaction=True)
def test_the_migration_is_reversible(audit_migrated_back: None) -> None:
    assert protection_triggers(connection) == {}

    call_command("migrate", "audit", verbosity=0)

    assert installed_triggers() == INSTALLED[connection.vendor]
