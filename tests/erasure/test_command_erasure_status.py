"""`manage.py erasure_status`: counts per state, or one request's subjects and batches."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, HeapAccount, Subject
from heapprivacy.erasure.pipeline.packing import batches_pack
from tests.erasure.conftest import HeapSandbox
from tests.erasure.factories import SYSTEM, make_account, make_request

pytestmark = pytest.mark.django_db


def erasure_status(*args: str) -> str:
    stdout = StringIO()
    call_command("erasure_status", *args, stdout=stdout, stderr=StringIO())
    return stdout.getvalue()


@pytest.fixture
def offline_account() -> HeapAccount:
    return make_account("acme")


def test_without_a_reference_it_counts_every_state_of_requests_subjects_and_batches(
    offline_account: HeapAccount,
) -> None:
    make_request(offline_account, ["a", "b"])
    request_approve(make_request(offline_account, ["c"]), actor=SYSTEM)

    counts = json.loads(erasure_status("--json"))

    assert counts["requests"] == dict.fromkeys(ErasureRequest.State.values, 0) | {
        "received": 1,
        "approved": 1,
    }
    assert counts["subjects"] == dict.fromkeys(Subject.State.values, 0) | {
        "pending": 2,
        "queued": 1,
    }
    assert counts["batches"] == dict.fromkeys(DeletionBatch.State.values, 0)


def test_the_text_report_lists_each_count_under_its_model(offline_account: HeapAccount) -> None:
    make_request(offline_account, ["a", "b"])

    lines = erasure_status().splitlines()

    assert lines[0] == "requests:"
    assert "  received: 1" in lines
    assert lines[lines.index("subjects:") + 1] == "  pending: 2"
    batches = lines[lines.index("batches:") + 1 :]
    assert batches == [f"  {state}: 0" for state in DeletionBatch.State.values]


def test_an_empty_database_reports_zeros() -> None:
    counts = json.loads(erasure_status("--json"))

    assert set(counts) == {"requests", "subjects", "batches"}
    assert not any(n for model in counts.values() for n in model.values())


@pytest.fixture
def erased_request(account: HeapAccount, heap: HeapSandbox, settings) -> ErasureRequest:
    """A request of two identities taken through one pipeline pass against the sandbox."""
    settings.BATCH_LINGER = 0
    request = make_request(account, ["alice@example.com", "bob@example.com"])
    request_approve(request, actor=SYSTEM)
    call_command("run_sweeps", "--once", stdout=StringIO())
    return request


def test_with_a_reference_it_reports_the_requests_subjects_and_batches(
    erased_request: ErasureRequest,
) -> None:
    status = json.loads(erasure_status(erased_request.reference, "--json"))

    batch = DeletionBatch.objects.get()
    assert status["reference"] == erased_request.reference
    assert status["state"] == ErasureRequest.State.COMPLETED
    assert status["subjects"] == dict.fromkeys(Subject.State.values, 0) | {"erased": 2}
    assert status["batches"] == [
        {
            "batch": batch.pk,
            "state": "complete",
            "size": 2,
            "attempts": 1,
            "deletion_request_id": batch.deletion_request_id,
            "last_status": "complete",
            "completed_at": batch.completed_at.isoformat(),
        }
    ]
    assert batch.deletion_request_id


def test_the_text_report_of_a_request_shows_one_line_per_batch(
    erased_request: ErasureRequest,
) -> None:
    lines = erasure_status(erased_request.reference).splitlines()

    batch = DeletionBatch.objects.get()
    assert lines[0] == f"reference: {erased_request.reference}"
    assert "state: completed" in lines
    assert "  erased: 2" in lines
    assert lines[lines.index("batches:") + 1].startswith(
        f"  - batch {batch.pk}, state complete, size 2, attempts 1, "
        f"deletion_request_id {batch.deletion_request_id}"
    )


def test_a_request_not_yet_batched_has_no_batches(offline_account: HeapAccount) -> None:
    request = make_request(offline_account, ["a"])

    status = json.loads(erasure_status(request.reference, "--json"))

    assert (status["state"], status["batches"]) == ("received", [])
    assert status["subjects"]["pending"] == 1


def test_another_requests_batch_is_not_listed(offline_account: HeapAccount) -> None:
    batched = make_request(offline_account, ["a"])
    request_approve(batched, actor=SYSTEM)
    batches_pack(offline_account, release=True)
    other = make_request(offline_account, ["b"])

    assert len(json.loads(erasure_status(batched.reference, "--json"))["batches"]) == 1
    assert json.loads(erasure_status(other.reference, "--json"))["batches"] == []


def test_an_unknown_reference_is_refused(offline_account: HeapAccount) -> None:
    with pytest.raises(CommandError, match="no request DSR-2026-999999"):
        erasure_status("DSR-2026-999999")
