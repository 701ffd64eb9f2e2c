"""Public references, DSR-<year>-<number>: consecutive per year, with no gaps.

The year's counter row is taken and moved on by one upsert, so the row lock it leaves is held
until the caller's transaction ends: a create that rolls back gives its numbers back.
"""

from django.db import connection

from heapprivacy.erasure.models import ReferenceCounter

_ALLOCATE = (
    "INSERT INTO {table} (year, last) VALUES (%s, %s) "
    "ON CONFLICT (year) DO UPDATE SET last = {table}.last + excluded.last RETURNING last"
)


def references_allocate(year: int, count: int = 1) -> list[str]:
    """Reserve `count` consecutive public references for `year` (DSR-2026-000123)."""
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_ALLOCATE.format(table=table), [year, count])
        (last,) = cursor.fetchone()
    first = last - count + 1
    return [f"DSR-{year}-{number:06d}" for number in range(first, first + count)]
