"""Keep each UK GDPR pause of the clock, not only a running total of days.

The total could not be counted again from a new clock start (a restart carried days stopped
before it), and it rounded every pause up to whole days of 24 hours. The pauses already taken
are read back from the audit trail (each request.clock_paused with the request.clock_resumed
after it). The stored days and deadlines stay as they were told to the subject until the clock
next changes.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

PAUSED, RESUMED = "request.clock_paused", "request.clock_resumed"


def pauses_from_the_audit_trail(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Pair each pause event of a request that stopped days with the resume event after it (a
    second resume, possible before, pairs with nothing)."""
    db = schema_editor.connection.alias
    request_model = apps.get_model("erasure", "ErasureRequest")
    event_model = apps.get_model("audit", "AuditEvent")
    paused_requests = request_model.objects.using(db).filter(clock_paused_days__gt=0)
    for pk, reference in paused_requests.values_list("pk", "reference"):
        events = (
            event_model.objects.using(db)
            .filter(request_ref=reference, action__in=[PAUSED, RESUMED])
            .order_by("seq")
            .values_list("action", "at")
        )
        pauses, paused_at = [], None
        for action, at in events:
            if action == PAUSED:
                paused_at = at
            elif paused_at is not None:
                pauses.append([paused_at.isoformat(), at.isoformat()])
                paused_at = None
        request_model.objects.using(db).filter(pk=pk).update(clock_pauses=pauses)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),  # reads AuditEvent only: no reason to undo with audit 0002
        ("erasure", "0008_request_verification_override"),
    ]

    operations = [
        migrations.AddField(
            model_name="erasurerequest",
            name="clock_pauses",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(pauses_from_the_audit_trail, migrations.RunPython.noop),
    ]
