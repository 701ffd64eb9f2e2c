"""The work of bulk paths grows with the chunks and batches, never with the rows in each.

Counted in SQL statements, not seconds (bench/ measures time): importing two chunks of 5 rows
costs what two chunks of 25 cost (25 keeps a bulk INSERT under SQLite's 999 bound parameters,
past which Django splits it); packing, submitting and completing two batches of 3 subjects costs
what two batches of 30 cost.
"""

from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from heapprivacy.erasure.imports import importer
from heapprivacy.erasure.imports.importer import requests_import
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, HeapAccount
from heapprivacy.erasure.pipeline import packing
from heapprivacy.erasure.pipeline.batches import batches_release
from heapprivacy.erasure.pipeline.polling import batch_poll
from heapprivacy.erasure.pipeline.submission import batch_submit
from tests.erasure.factories import SYSTEM, make_request

pytestmark = pytest.mark.django_db


def statements(run: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return len(queries)


def csv_lines(rows: int, per_request: int) -> list[str]:
    return ["identity,external_ref\n"] + [
        f"user-{n}@example.com,REF-{n // per_request}\n" for n in range(rows)
    ]


def import_two_chunks(
    account: HeapAccount, monkeypatch: pytest.MonkeyPatch, chunk: int, per_request: int
) -> int:
    monkeypatch.setattr(importer, "ROW_CHUNK", chunk)
    lines = csv_lines(2 * chunk, per_request)
    return statements(
        lambda: requests_import(lines, account=account, actor=SYSTEM, approve=True, keep=10)
    )


@pytest.mark.parametrize("per_request", [1, 10**9], ids=["one-subject requests", "one request"])
def test_importing_costs_the_same_statements_whatever_the_rows_per_chunk(
    account: HeapAccount, monkeypatch: pytest.MonkeyPatch, per_request: int
) -> None:
    make_request(account)  # this year's reference counter exists before either import
    small = import_two_chunks(account, monkeypatch, 5, per_request)
    ErasureRequest.objects.update(state=ErasureRequest.State.COMPLETED)  # no open requests left

    large = import_two_chunks(account, monkeypatch, 25, per_request)

    assert large == small


def test_an_import_reads_its_lines_a_chunk_at_a_time(
    account: HeapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "ROW_CHUNK", 10)
    pulled = 0

    def lines() -> Iterator[str]:
        nonlocal pulled
        for line in csv_lines(100, 1):
            pulled += 1
            yield line

    pulled_at_progress: list[int] = []
    requests_import(
        lines(),
        account=account,
        actor=SYSTEM,
        progress=lambda report: pulled_at_progress.append(pulled),
    )

    # the header and ten rows, then ten more rows per chunk: never the whole file
    assert pulled_at_progress[:3] == [11, 21, 31]
    assert len(pulled_at_progress) == 10


def pipeline_statements(account: HeapAccount, monkeypatch, size: int) -> tuple[int, int, int]:
    """Statements to pack, submit and complete two batches of `size` subjects."""
    monkeypatch.setattr(packing, "MAX_BATCH_SIZE", size)
    for n in range(2 * size):
        request = make_request(account, [f"user-{size}-{n}@example.com"])
        request.subjects.update(state="queued")
        ErasureRequest.objects.filter(pk=request.pk).update(state=ErasureRequest.State.APPROVED)
    batch_ids: list[int] = []
    pack = statements(lambda: batch_ids.extend(batches_release(account, actor=SYSTEM)))
    submit = statements(lambda: [batch_submit(batch_id) for batch_id in batch_ids])
    complete = statements(lambda: [batch_poll(batch_id) for batch_id in batch_ids])
    assert DeletionBatch.objects.filter(pk__in=batch_ids, state="complete").count() == 2
    assert set(
        ErasureRequest.objects.filter(batch_links__batch__in=batch_ids).values_list(
            "state", flat=True
        )
    ) == {ErasureRequest.State.COMPLETED}
    return pack, submit, complete


def test_packing_submitting_and_completing_cost_the_same_whatever_the_batch_size(
    account: HeapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = pipeline_statements(account, monkeypatch, 3)

    large = pipeline_statements(account, monkeypatch, 30)

    assert large == small
