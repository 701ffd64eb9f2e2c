"""A subject's Heap state lives on its batch; requests count their subjects; batches know their
requests (BatchRequest). Existing rows are carried over before `erased_at` goes:

- each request's `subject_count` and `subjects_erased`, and one BatchRequest per (batch,
  request) with its members;
- subjects marked submitted or erased go back to `batched`: their batch says the rest (a batch
  is complete exactly when its members were marked erased, at its `completed_at`).

The lookup index by keyed hash replaces the (kind, value) one, which matched every identity and
was what the planner ANDed into each lookup of an import when statistics were missing. The
request and batch foreign keys are indexed with the id, so a page of either's subjects in id
order reads its rows straight from the index.
"""

import django.db.models.deletion
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def carry_over(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE erasure_erasurerequest SET subject_count = ("
            "SELECT COUNT(*) FROM erasure_subject WHERE erasure_subject.request_id = "
            "erasure_erasurerequest.id)"
        )
        cursor.execute(
            "INSERT INTO erasure_batchrequest (batch_id, request_id, members) "
            "SELECT batch_id, request_id, COUNT(*) FROM erasure_subject "
            "WHERE batch_id IS NOT NULL GROUP BY batch_id, request_id"
        )
        cursor.execute(
            "UPDATE erasure_erasurerequest SET subjects_erased = ("
            "SELECT COUNT(*) FROM erasure_subject WHERE erasure_subject.request_id = "
            "erasure_erasurerequest.id AND erasure_subject.state = 'erased')"
        )
        cursor.execute(
            "UPDATE erasure_subject SET state = 'batched' WHERE state IN ('submitted', 'erased')"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("erasure", "0005_clock_pause"),
    ]

    operations = [
        migrations.AddField(
            model_name="erasurerequest",
            name="subject_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="erasurerequest",
            name="subjects_erased",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.CreateModel(
            name="BatchRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("members", models.PositiveIntegerField()),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="request_links",
                        to="erasure.deletionbatch",
                    ),
                ),
                (
                    "request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="batch_links",
                        to="erasure.erasurerequest",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("batch", "request"), name="one_link_per_batch_request"
                    )
                ],
            },
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="subject", name="erased_at"),
        migrations.RemoveIndex(model_name="subject", name="erasure_sub_kind_f91f5c_idx"),
        migrations.AlterField(
            model_name="subject",
            name="value_hmac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddIndex(
            model_name="subject",
            index=models.Index(fields=["value_hmac", "kind", "account"], name="subject_key_idx"),
        ),
        migrations.AlterField(
            model_name="subject",
            name="batch",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="members",
                to="erasure.deletionbatch",
            ),
        ),
        migrations.AlterField(
            model_name="subject",
            name="request",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="subjects",
                to="erasure.erasurerequest",
            ),
        ),
        migrations.AddIndex(
            model_name="subject",
            index=models.Index(fields=["request", "id"], name="subject_request_idx"),
        ),
        migrations.AddIndex(
            model_name="subject",
            index=models.Index(fields=["batch", "id"], name="subject_batch_idx"),
        ),
    ]
