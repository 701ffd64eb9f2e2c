"""audit_anchor and its daily task: a chain.anchor event, and the head written outside the DB."""

import logging
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.chain import GENESIS_HASH, verify_chain
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.protection import protection_suspended
from heapprivacy.audit.selectors import audit_events_iter
from heapprivacy.audit.services import audit_anchor, audit_record
from heapprivacy.audit.tasks import anchor_audit_head
from heapprivacy.celery import app

pytestmark = pytest.mark.django_db

TASK = "heapprivacy.audit.tasks.anchor_audit_head"


@pytest.fixture
def anchor_file(settings: Any, tmp_path: Path) -> Path:
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.txt")
    return tmp_path / "anchors.txt"


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[..., Any]:
    """Run a call and then its on-commit callbacks, as a real commit would."""

    def run(function: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return function()

    return run


def test_it_records_a_chain_anchor_naming_the_head_before_it(committed: Any) -> None:
    audit_record("batch.released", actor=Actor.system())
    head = audit_record("batch.released", actor=Actor.system())

    event = committed(audit_anchor)

    assert (event.seq, event.action, event.prev_hash) == (3, "chain.anchor", head.hash)
    assert event.details == {"head_seq": 2, "head_hash": head.hash}
    assert (event.actor_kind, event.actor_label) == ("system", "audit anchor")
    assert verify_chain(audit_events_iter()) is None


def test_on_an_empty_trail_the_head_before_is_the_genesis_hash(committed: Any) -> None:
    event = committed(audit_anchor)

    assert event.details == {"head_seq": 0, "head_hash": GENESIS_HASH}


def test_it_logs_the_new_head_with_its_time(
    committed: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="heapprivacy.audit"):
        event = committed(audit_anchor)

    at = event.to_chain_dict()["at"]
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("heapprivacy.audit", "INFO", f"audit anchor {at} 1:{event.hash}")
    ]


def test_it_appends_the_new_head_to_the_anchor_file(anchor_file: Path, committed: Any) -> None:
    first = committed(audit_anchor)
    second = committed(audit_anchor)

    assert anchor_file.read_text().splitlines() == [
        f"{first.to_chain_dict()['at']} 1:{first.hash}",
        f"{second.to_chain_dict()['at']} 2:{second.hash}",
    ]


def test_without_an_anchor_file_it_only_logs(settings: Any, tmp_path: Path, committed: Any) -> None:
    settings.AUDIT_ANCHOR_FILE = ""

    committed(audit_anchor)

    assert list(tmp_path.iterdir()) == []


def test_nothing_is_published_for_an_anchor_that_rolls_back(
    anchor_file: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit_anchor()
        transaction.set_rollback(True)

    assert not anchor_file.exists()
    assert "audit anchor" not in caplog.text


def test_the_anchor_files_last_line_catches_a_deleted_tail(
    anchor_file: Path, committed: Any
) -> None:
    audit_record("batch.released", actor=Actor.system())
    committed(audit_anchor)
    anchor = anchor_file.read_text().split()[-1]
    with protection_suspended(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 2")

    err = StringIO()
    with pytest.raises(SystemExit, match="1"):
        call_command("verify_audit", "--anchor", anchor, stdout=StringIO(), stderr=err)
    assert err.getvalue() == (
        "audit chain broken at seq 2: truncated: events after seq 1 are missing"
        " (the anchor names seq 2)\n"
    )


def test_the_task_records_an_anchor(anchor_file: Path, committed: Any) -> None:
    committed(anchor_audit_head)

    event = AuditEvent.objects.get()
    assert event.action == "chain.anchor"
    assert anchor_file.read_text().endswith(f" 1:{event.hash}\n")


def test_beat_runs_the_task_daily_at_five_past_midnight() -> None:
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == TASK]

    assert [e["schedule"] for e in entries] == [crontab(hour=0, minute=5)]
    assert TASK in app.tasks
