"""Retention: subjects' keyed hashes (backfilled here), the "previously erased" flag, and the
time a request was pseudonymised. requester_email becomes a CharField of the same length: after
retention it holds `hmac:<hex>`, which is no email address (the column does not change).

The value_hmac index is created after the backfill: filling an indexed column row by row is
several times slower than indexing it once.
"""

import hashlib
import hmac

from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

BACKFILL_CHUNK = 5_000


def backfill_value_hmac(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """value_hmac of the subjects that existed before: the keyed hash, as
    heapprivacy.pseudonyms.subject_pseudonym computes it (copied here: a migration must
    not change when the code does). A subject that Heap erased before this migration is then
    recognised too when a new request names it again."""
    subject_model = apps.get_model("erasure", "Subject")
    key = settings.PSEUDONYM_KEY.encode("utf-8")
    last = 0
    while True:
        chunk = list(
            subject_model.objects.using(schema_editor.connection.alias)
            .filter(pk__gt=last, value_hmac="")
            .order_by("pk")
            .only("pk", "value")[:BACKFILL_CHUNK]
        )
        if not chunk:
            return
        for subject in chunk:
            subject.value_hmac = hmac.new(
                key, subject.value.encode("utf-8"), hashlib.sha256
            ).hexdigest()
        subject_model.objects.using(schema_editor.connection.alias).bulk_update(
            chunk, ["value_hmac"], batch_size=500
        )
        last = chunk[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("erasure", "0003_legal_clock"),
    ]

    operations = [
        migrations.AddField(
            model_name="erasurerequest",
            name="pseudonymised_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="erasurerequest",
            name="requester_email",
            field=models.CharField(blank=True, max_length=254),
        ),
        migrations.AddField(
            model_name="subject",
            name="previously_erased",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="subject",
            name="value_hmac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(backfill_value_hmac, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="subject",
            name="value_hmac",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AddIndex(
            model_name="subject",
            index=models.Index(
                condition=models.Q(("previously_erased", True)),
                fields=["request"],
                name="subject_prev_erased_idx",
            ),
        ),
    ]
