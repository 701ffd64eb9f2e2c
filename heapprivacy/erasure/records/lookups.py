"""Subjects looked up by their key (kind, value_hmac), a whole chunk of keys per statement.

Each key is probed on its own inside the statement (a scalar subquery with LIMIT 1 per key,
which PostgreSQL does not turn into a join, through the `subject_key_idx` index), never as one
`IN (…)` list or a join: without statistics — rows a running import has just inserted have none,
and autovacuum may be off — PostgreSQL estimates an IN list of 5,000 hashes to match most of the
table and scans it, ANDs in an index that matches every row, or reads every subject of every
complete batch to join them. A probe per key costs the same whatever the table holds; its
batch is read by primary key for each subject found (a scalar subquery), never the other way
round: without statistics the planner takes "complete batches" for one row and would loop over
them all for every key. The keys
travel as one array (PostgreSQL) or one JSON document (SQLite), so a chunk of any size is one
bound parameter.
"""

import json
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from django.db import connection

from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, Subject

Key = tuple[str, str]  # (kind, value_hmac)
SQLITE_IDS = 900  # ids per IN list on SQLite: under the 999 bound parameters of its oldest

SUBJECTS = Subject._meta.db_table
BATCHES = DeletionBatch._meta.db_table
REQUESTS = ErasureRequest._meta.db_table


def keys_erased_before(keys: Collection[Key]) -> set[Key]:
    """The keys among `keys` naming a subject Heap has erased (its batch is complete), in any
    account and any request, pseudonymised or not."""
    if not keys:
        return set()
    relation, params = _keys_relation(keys)
    sql = (
        "SELECT kind, h FROM (SELECT k.kind AS kind, k.h AS h, ("  # nosec B608  # noqa: S608 - our own tables
        f"SELECT 1 FROM {SUBJECTS} s WHERE s.value_hmac = k.h AND s.kind = k.kind "
        f"AND (SELECT b.state FROM {BATCHES} b WHERE b.id = s.batch_id) = %s LIMIT 1) AS erased "
        f"FROM {relation}) found WHERE erased IS NOT NULL"
    )
    return {tuple(row) for row in _fetch(sql, [DeletionBatch.State.COMPLETE, *params])}


def keys_in_open_requests(
    keys: Collection[Key], *, account_id: int, up_to_subject: int
) -> dict[Key, str]:
    """key -> the first reference (in reference order) of an open request of the account
    naming it, among the subjects up to id `up_to_subject` (not an import's still hidden)."""
    if not keys:
        return {}
    relation, params = _keys_relation(keys)
    states = ", ".join(["%s"] * len(ErasureRequest.OPEN_STATES))
    sql = (
        "SELECT kind, h, reference FROM (SELECT k.kind AS kind, k.h AS h, ("  # nosec B608  # noqa: S608 - our own tables
        f"SELECT r.reference FROM {SUBJECTS} s JOIN {REQUESTS} r ON r.id = s.request_id "
        "WHERE s.value_hmac = k.h AND s.kind = k.kind AND s.account_id = %s AND s.id <= %s "
        f"AND r.state IN ({states}) AND r.staged_import = '' "
        "ORDER BY r.reference LIMIT 1) AS reference "
        f"FROM {relation}) found WHERE reference IS NOT NULL"
    )
    rows = _fetch(sql, [account_id, up_to_subject, *ErasureRequest.OPEN_STATES, *params])
    return {(kind, value_hmac): reference for kind, value_hmac, reference in rows}


def unsent_subjects_with_keys(keys: Collection[Key]) -> list[tuple[int, int]]:
    """(subject id, request id) of every subject named by one of `keys` that no batch holds
    yet, in an open request not flagged for it already, in any account.

    Each key probes the key index on its own: a LATERAL subquery on PostgreSQL (a key may match
    several requests, so not a scalar subquery), fenced with OFFSET 0 so that the planner does
    not flatten it into a hash join over every unsent subject (found through the batch index
    by `batch_id IS NULL`); on SQLite the keys' JSON table is the outer loop of the join.
    """
    if not keys:
        return []
    relation, params = _keys_relation(keys)
    states = ", ".join(["%s"] * len(ErasureRequest.OPEN_STATES))
    condition = (
        "s.value_hmac = k.h AND s.kind = k.kind AND s.batch_id IS NULL AND NOT "  # nosec B608  # noqa: S608 - our own tables
        f"s.previously_erased AND (SELECT r.state FROM {REQUESTS} r WHERE r.id = s.request_id) "
        f"IN ({states})"
    )
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT m.id, m.request_id FROM {relation} CROSS JOIN LATERAL ("  # nosec B608  # noqa: S608 - our own tables
            f"SELECT s.id, s.request_id FROM {SUBJECTS} s WHERE {condition} OFFSET 0) m"
        )
    else:
        # SQLite keeps the left table of a CROSS JOIN as the outer loop.
        sql = f"SELECT s.id, s.request_id FROM {relation} CROSS JOIN {SUBJECTS} s WHERE {condition}"  # nosec B608  # noqa: S608 - our own tables
    return [
        (pk, request_id) for pk, request_id in _fetch(sql, [*params, *ErasureRequest.OPEN_STATES])
    ]


def _keys_relation(keys: Collection[Key]) -> tuple[str, list[object]]:
    if connection.vendor == "postgresql":
        kinds, hashes = zip(*keys, strict=True)
        relation = "unnest(string_to_array(%s, ','), string_to_array(%s, ',')) AS k(kind, h)"
        return relation, [joined(kinds), joined(hashes)]
    relation = (
        "(SELECT json_extract(value, '$[0]') AS kind, json_extract(value, '$[1]') AS h "
        "FROM json_each(%s)) AS k"
    )
    return relation, [json.dumps(list(keys))]


def ids_matching(ids: list[int]) -> Iterator[tuple[str, list[Any]]]:
    """`id = ANY(…)` conditions matching `ids` by primary key, with their parameters.

    One condition for any number on PostgreSQL, with the ids as one text split by the server:
    faster than 10,000 parameters (DESIGN.md), and estimated as a handful of rows, so the
    primary key index is what the planner reads — an `IN` list of 10,000 constants on a
    table without statistics may be estimated as most of it, and scanned. On SQLite, IN lists
    of SQLITE_IDS.
    """
    if connection.vendor == "postgresql":
        yield "id = ANY(string_to_array(%s, ',')::bigint[])", [joined(ids)]
        return
    for start in range(0, len(ids), SQLITE_IDS):
        part = ids[start : start + SQLITE_IDS]
        yield f"id IN ({', '.join(['%s'] * len(part))})", part


def joined(values: Iterable[object]) -> str:
    """Values without commas (kinds, hex digests, ids) as one text for `string_to_array(%s, ',')`.

    psycopg adapts a Python list to an array element by element, with a regular expression each:
    for 5,000 values that costs more than the statement. One string costs nothing."""
    return ",".join(map(str, values))


def _fetch(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
