"""Bulk inserts of thousands of rows: PostgreSQL's COPY, bulk_create elsewhere.

`bulk_create` prepares every value of every object through its field (and on PostgreSQL ships
them as arrays, adapted element by element): ~30 µs a row for a wide model, more than the
database spends storing it. `rows_insert` takes plain rows — dicts of attribute values, every
attribute the caller does not give taking its field's default — and streams them through COPY,
a few µs a row. Values are what psycopg adapts
natively (str, int, bool, datetime, None); JSON fields are given as Python values and sent as
their JSON text. On SQLite the rows become model objects for bulk_create.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models

SQLITE_BATCH = 500


def rows_insert(
    model: type[models.Model], rows: Sequence[Mapping[str, Any]], *, returning_ids: bool = False
) -> list[int]:
    """Insert `rows` (attribute name -> value); with `returning_ids`, their new primary keys
    in order (reserved from the sequence first on PostgreSQL, where COPY returns nothing)."""
    if not rows:
        return []
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields}
    if connection.vendor != "postgresql":
        objects = [model(**(defaults | dict(row))) for row in rows]
        return [
            obj.pk for obj in model._default_manager.bulk_create(objects, batch_size=SQLITE_BATCH)
        ]
    ids = _ids_reserve(model, len(rows)) if returning_ids else []
    names = [*([model._meta.pk.column] if ids else []), *(field.column for field in fields)]
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    json_fields = {field.attname for field in fields if isinstance(field, models.JSONField)}
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for index, row in enumerate(rows):
            values = {**defaults, **row}
            for name in json_fields:
                values[name] = json.dumps(values[name], ensure_ascii=False)
            copy.write_row([*ids[index : index + 1], *(values[name] for name in defaults)])
    return ids


def _ids_reserve(model: type[models.Model], count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]
