"""The database itself refuses UPDATE, DELETE and TRUNCATE on the audit table (invariant 4).

PostgreSQL: one plpgsql function that raises, fired BEFORE UPDATE OR DELETE for each row and
BEFORE TRUNCATE for the statement. Both triggers are ENABLE ALWAYS, so they fire even in a
session with session_replication_role = replica, which skips ordinary triggers. The error is
SQLSTATE 23001 (restrict_violation), which Django raises as IntegrityError, as on SQLite.

SQLite: BEFORE UPDATE and BEFORE DELETE triggers that RAISE(ABORT). SQLite has no TRUNCATE, and
it never uses its truncate shortcut for `DELETE FROM` on a table that has triggers.

A trigger stops the application, not the table's owner or a superuser, who may disable or drop
it; the hash chain and the anchors kept outside the database make that evident (docs/audit.md).
heapprivacy/audit/protection.py lifts these triggers for test teardown; tests/audit checks that
they are installed. On SQLite, a later migration that alters this table rebuilds it and loses the
triggers with the old table: such a migration must install them again.
"""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            ERRCODE = 'restrict_violation',
            MESSAGE = 'audit_auditevent is append-only: ' || TG_OP || ' refused',
            HINT = 'Audit events are only ever inserted (docs/audit.md).';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()
    """,
    """
    CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_change()
    """,
    "ALTER TABLE audit_auditevent ENABLE ALWAYS TRIGGER audit_auditevent_append_only",
    "ALTER TABLE audit_auditevent ENABLE ALWAYS TRIGGER audit_auditevent_no_truncate",
]
POSTGRESQL_UNINSTALL = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_refuse_change()",
]

SQLITE_INSTALL = [
    """
    CREATE TRIGGER audit_auditevent_refuse_update
    BEFORE UPDATE ON audit_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'audit_auditevent is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER audit_auditevent_refuse_delete
    BEFORE DELETE ON audit_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'audit_auditevent is append-only: DELETE refused');
    END
    """,
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS audit_auditevent_refuse_delete",
    "DROP TRIGGER IF EXISTS audit_auditevent_refuse_update",
]

INSTALL = {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL}
UNINSTALL = {"postgresql": POSTGRESQL_UNINSTALL, "sqlite": SQLITE_UNINSTALL}


def run_for_vendor(
    statements: dict[str, list[str]], schema_editor: BaseDatabaseSchemaEditor
) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise NotImplementedError(f"no append-only triggers for the {vendor} database backend")
    for sql in statements[vendor]:
        # params=None: no placeholder interpolation, so the SQL is sent exactly as written.
        schema_editor.execute(sql, params=None)


def install(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    run_for_vendor(INSTALL, schema_editor)


def uninstall(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    run_for_vendor(UNINSTALL, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
