"""The requests list reads its index, first page and last, on 100,000 unanalysed rows
(PostgreSQL): copies of one request inserted inside the test's transaction, as a bulk import
leaves them, so the planner has no statistics about any of them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from heapprivacy.console import selectors
from heapprivacy.erasure.models import ErasureRequest, HeapAccount
from tests.erasure.factories import make_request
from tests.erasure.test_lookup_plans import _nodes

pytestmark = [pytest.mark.slow, pytest.mark.django_db, pytest.mark.postgres]

LOADED = 100_000


@pytest.fixture
def listed(account: HeapAccount) -> None:
    original = make_request(account)
    copied = [
        field.column
        for field in ErasureRequest._meta.concrete_fields
        if field.column not in ("id", "reference", "received_at")
    ]
    columns, table = ", ".join(copied), ErasureRequest._meta.db_table
    # Names from the model's own fields, values as parameters.
    copies = (
        f"INSERT INTO {table} (reference, received_at, {columns}) "  # noqa: S608
        f"SELECT 'LOADED-' || n, received_at - n * interval '1 second', {columns} "
        f"FROM {table}, generate_series(1, %s) AS n WHERE id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(copies, [LOADED, original.pk])


def list_plan(number: int) -> set[tuple[str, str]]:
    """The nodes of the plan of the page's own query: the one that reads requests' columns."""
    with CaptureQueriesContext(connection) as queries:
        selectors.page_of(selectors.with_previously_erased(selectors.requests_filtered({})), number)
    [query] = [q for q in queries.captured_queries if '"reference"' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {query['sql']}")
        [root] = cursor.fetchone()[0]
    return set(_nodes(root["Plan"]))


@pytest.mark.parametrize("number", [1, LOADED // selectors.PAGE_SIZE + 1])
def test_the_first_and_the_last_page_read_the_list_index_and_sort_nothing(
    listed: None, number: int
) -> None:
    plan = list_plan(number)

    assert ("Index Scan", "request_received_idx") in plan
    assert "Sort" not in {node for node, _ in plan}
