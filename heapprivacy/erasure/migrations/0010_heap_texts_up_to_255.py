"""Heap's texts kept as evidence up to 255 characters (ids and statuses longer than 64 broke
recording; longer than 255 they are refused whole by the Heap client). A widening only: on
PostgreSQL no table rewrite."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("erasure", "0009_request_clock_pauses"),
    ]

    operations = [
        migrations.AlterField(
            model_name="deletionbatch",
            name="deletion_request_id",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AlterField(
            model_name="deletionbatch",
            name="last_status",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AlterField(
            model_name="statuspoll",
            name="status",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AlterField(
            model_name="submissionattempt",
            name="deletion_request_id",
            field=models.CharField(blank=True, max_length=255),
        ),
    ]
