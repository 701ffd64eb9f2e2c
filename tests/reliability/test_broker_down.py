"""The broker down when an officer approves: the approval commits, the lost nudge is logged,
and the work starts once beat's sweep runs again (the database holds it, not the broker)."""

import logging

import pytest
from django.test import TestCase
from kombu import Connection

from heapprivacy.celery import app as celery_app
from heapprivacy.erasure.lifecycle import nudges
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest
from tests.erasure.factories import make_verified
from tests.reliability.invariants import invariants_hold, sweep
from tests.support.cast import logged_in

pytestmark = pytest.mark.django_db

NOTHING_LISTENS = "redis://127.0.0.1:9/0"


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every publish connects, for real, to a port where nothing listens."""
    monkeypatch.setattr(celery_app, "connection_for_write", lambda: Connection(NOTHING_LISTENS))
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)  # made for the real broker
    monkeypatch.setitem(celery_app.conf, "broker_connection_max_retries", 0)
    monkeypatch.setitem(celery_app.conf, "task_publish_retry", False)
    monkeypatch.setattr(nudges, "MAX_BATCH_SIZE", 1)  # every approval nudges the sweeps


def test_an_approval_commits_with_the_broker_down_and_the_sweep_picks_it_up(
    broker_down, account, approver, heap, caplog
) -> None:
    request = make_verified(account, ["alice@example.com"])

    with caplog.at_level(logging.ERROR), TestCase.captureOnCommitCallbacks(execute=True):
        response = logged_in(approver).post(f"/requests/{request.reference}/approve")

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.APPROVED
    assert "Error calling" in caplog.text  # the robust on_commit nudge, logged and dropped
    sweep(times=3)  # beat, once the broker is back, or a worker's own schedule
    assert DeletionBatch.objects.get().state == DeletionBatch.State.COMPLETE
    invariants_hold(heap)
