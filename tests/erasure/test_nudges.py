"""An approval that queues a full batch asks for the sweeps at once, not at beat's next minute."""

import pytest

from heapprivacy.erasure.imports.importer import requests_import
from heapprivacy.erasure.lifecycle import nudges
from heapprivacy.erasure.lifecycle.nudges import SWEEPS_TASK
from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import HeapAccount
from tests.erasure.factories import SYSTEM, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _batches_of_three(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nudges, "MAX_BATCH_SIZE", 3)


def tasks_sent(published: list) -> list[str]:
    return [headers["task"] for headers, _ in published]


def test_approving_a_full_batch_of_subjects_runs_the_sweeps_after_commit(
    account: HeapAccount, published: list, django_capture_on_commit_callbacks
) -> None:
    request = make_request(account, ["a", "b", "c"])

    with django_capture_on_commit_callbacks(execute=True):
        request_approve(request, actor=SYSTEM)
        assert tasks_sent(published) == []  # nothing before the approval commits

    assert tasks_sent(published) == [SWEEPS_TASK]


def test_a_smaller_approval_leaves_its_subjects_to_the_next_sweep(
    account: HeapAccount, published: list, django_capture_on_commit_callbacks
) -> None:
    request = make_request(account, ["a", "b"])

    with django_capture_on_commit_callbacks(execute=True):
        request_approve(request, actor=SYSTEM)

    assert tasks_sent(published) == []


def test_an_approved_import_of_a_full_batch_runs_the_sweeps_after_commit(
    account: HeapAccount, published: list, django_capture_on_commit_callbacks
) -> None:
    lines = ["identity", "a@example.com", "b@example.com", "c@example.com"]

    with django_capture_on_commit_callbacks(execute=True):
        requests_import(lines, account=account, actor=SYSTEM, approve=True)

    assert tasks_sent(published) == [SWEEPS_TASK]


def test_an_import_left_for_approval_runs_nothing(
    account: HeapAccount, published: list, django_capture_on_commit_callbacks
) -> None:
    lines = ["identity", "a@example.com", "b@example.com", "c@example.com"]

    with django_capture_on_commit_callbacks(execute=True):
        requests_import(lines, account=account, actor=SYSTEM)

    assert tasks_sent(published) == []
