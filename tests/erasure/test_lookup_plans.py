"""The lookups of a bulk import use the index made for them, statistics or not (PostgreSQL).

The subjects table is loaded with 100,000 rows inside the test's transaction, as a running import
leaves it: never analyzed, so the planner has no statistics about any of them. They sit in a
complete batch, so "previously erased" could also be answered by reading them all.
"""

from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, HeapAccount, Subject
from heapprivacy.erasure.records.lookups import (
    keys_erased_before,
    keys_in_open_requests,
    unsent_subjects_with_keys,
)
from heapprivacy.pseudonyms import subject_pseudonym
from tests.erasure.factories import make_request

pytestmark = [pytest.mark.slow, pytest.mark.django_db, pytest.mark.postgres]

LOADED = 100_000


@pytest.fixture
def loaded(account: HeapAccount) -> ErasureRequest:
    request = make_request(account, [])
    batch = DeletionBatch.objects.create(
        account=account, size=LOADED, payload_sha256="0" * 64, state=DeletionBatch.State.COMPLETE
    )
    load(request, account, "batched", batch.pk)
    return request


@pytest.fixture
def waiting(account: HeapAccount) -> ErasureRequest:
    """An open request whose 100,000 subjects no batch holds yet (a large import, pending)."""
    request = make_request(account, [])
    load(request, account, "pending", None)
    return request


def load(request: ErasureRequest, account: HeapAccount, state: str, batch_id: int | None) -> None:
    columns = "request_id, account_id, kind, value, value_hmac, previously_erased, state, batch_id"
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Subject._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for n in range(LOADED):
            value = f"user-{n}@example.com"
            copy.write_row(
                (
                    request.pk,
                    account.pk,
                    "identity",
                    value,
                    subject_pseudonym(value),
                    False,
                    state,
                    batch_id,
                )
            )


def plan_of(lookup: Callable[[], object]) -> set[tuple[str, str]]:
    """(node type, index or relation) of every node of the plan PostgreSQL chooses for the one
    statement `lookup` runs."""
    with CaptureQueriesContext(connection) as queries:
        lookup()
    [query] = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {query['sql']}")
        [root] = cursor.fetchone()[0]
    return set(_nodes(root["Plan"]))


def _nodes(node: dict) -> Iterator[tuple[str, str]]:
    yield node["Node Type"], node.get("Index Name") or node.get("Relation Name", "")
    for child in node.get("Plans", []):
        yield from _nodes(child)


def chunk_keys() -> set[tuple[str, str]]:
    return {("identity", subject_pseudonym(f"new-{n}@example.com")) for n in range(5_000)}


def test_the_previously_erased_probe_reads_the_key_index(loaded: ErasureRequest) -> None:
    plan = plan_of(lambda: keys_erased_before(chunk_keys()))

    assert ("Index Scan", "subject_key_idx") in plan
    assert ("Seq Scan", "erasure_subject") not in plan
    assert "BitmapAnd" not in {node for node, _ in plan}


def test_the_open_request_probe_reads_the_key_index(
    loaded: ErasureRequest, account: HeapAccount
) -> None:
    plan = plan_of(
        lambda: keys_in_open_requests(chunk_keys(), account_id=account.pk, up_to_subject=10**12)
    )

    assert ("Index Scan", "subject_key_idx") in plan
    assert ("Seq Scan", "erasure_subject") not in plan
    assert "BitmapAnd" not in {node for node, _ in plan}


@pytest.mark.parametrize("table", ["loaded", "waiting"])
def test_the_erased_elsewhere_probe_reads_the_key_index(
    table: str, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue(table)

    plan = plan_of(lambda: unsent_subjects_with_keys(chunk_keys()))

    assert ("Index Scan", "subject_key_idx") in plan
    assert ("Seq Scan", "erasure_subject") not in plan
    assert {"BitmapAnd", "Hash Join", "Merge Join"}.isdisjoint({node for node, _ in plan})
