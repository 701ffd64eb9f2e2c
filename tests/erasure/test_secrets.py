"""The api_key never appears in clear: not in the database, logs, Celery messages or the audit."""

import json
import logging

import pytest
from celery.signals import before_task_publish
from django.db import connection

from heapprivacy.audit.models import AuditEvent
from heapprivacy.celery import app as celery_app
from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.pipeline.polling import batch_poll
from heapprivacy.erasure.pipeline.submission import batch_submit
from heapprivacy.erasure.pipeline.sweeps import sweeps_run
from heapprivacy.erasure.tasks import poll_batch, submit_batch
from tests.erasure.factories import API_KEY, SYSTEM, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def published() -> list[str]:
    """Every Celery message published during the test, as sent (body and headers)."""
    messages: list[str] = []

    def capture(body: object, headers: dict, **kwargs: object) -> None:
        messages.append(json.dumps([body, headers], default=str))

    before_task_publish.connect(capture, weak=False)
    yield messages
    before_task_publish.disconnect(capture)
    celery_app.control.purge()


def every_row_of_every_table() -> str:
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dump.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(dump)


def test_the_api_key_is_never_stored_logged_sent_to_celery_or_audited(
    account, heap, settings, caplog, published
) -> None:
    settings.BATCH_LINGER = 0
    caplog.set_level(logging.DEBUG)
    request = make_request(account, ["alice@example.com"])
    request_approve(request, actor=SYSTEM)

    sweeps_run(submit=submit_batch.delay, poll=poll_batch.delay)  # as beat would: messages only
    sweeps_run(submit=batch_submit, poll=batch_poll)  # the same work done here
    sweeps_run(submit=batch_submit, poll=batch_poll)

    request.refresh_from_db()
    assert request.state == "completed"
    assert published, "the Celery path was exercised"
    assert API_KEY not in every_row_of_every_table()
    assert API_KEY not in caplog.text
    assert not [message for message in published if API_KEY in message]
    assert not [e for e in AuditEvent.objects.all() if API_KEY in json.dumps(e.to_chain_dict())]


def test_celery_messages_carry_only_ids(account, heap, settings, published) -> None:
    settings.BATCH_LINGER = 0
    request_approve(make_request(account, ["bob@example.com"]), actor=SYSTEM)

    sweeps_run(submit=submit_batch.delay, poll=poll_batch.delay)

    bodies = [json.loads(message)[0] for message in published]
    assert bodies
    for args, kwargs, _ in bodies:
        assert all(isinstance(arg, int) for arg in args)
        assert kwargs == {}
