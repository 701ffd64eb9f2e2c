"""No secret escapes under faults: Heap answering errors that echo the API key and the Basic
header, then the run to completion. Neither, nor the bearer token in use, appears in a log
line, a table row (attempts and polls keep Heap's messages) or the audit trail (Celery
messages: tests/erasure/test_secrets.py), nor in any export an auditor downloads."""

import base64
import io
import json
import logging
import zipfile

import pytest
from django.core.cache import cache

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import DeletionBatch
from heapprivacy.heap.tokens import token_cache_key
from tests.erasure.conftest import APP_ID
from tests.erasure.factories import API_KEY, SYSTEM, make_request
from tests.erasure.test_secrets import every_row_of_every_table
from tests.reliability.invariants import invariants_hold, sweep

pytestmark = pytest.mark.django_db

BASIC = base64.b64encode(f"{APP_ID}:{API_KEY}".encode()).decode()


def test_errors_echoing_secrets_leave_no_trace_of_them(account, heap, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"bad request from {APP_ID}:{API_KEY} (Authorization: Basic {BASIC})"
    heap.fault(path="auth_token", status=500, body=echo, times=1)
    heap.fault(path="user_deletion", status=503, body=echo, times=1)
    heap.fault(path="deletion_status", status=500, body=echo, times=1)
    request_approve(make_request(account, ["alice@example.com"]), actor=SYSTEM)

    sweep(times=6)

    assert DeletionBatch.objects.get().state == DeletionBatch.State.COMPLETE
    token = cache.get(token_cache_key(account.deletion_base_url, APP_ID))["access_token"]
    secrets = [API_KEY, BASIC, token]
    rows = every_row_of_every_table()
    events = json.dumps([event.to_chain_dict() for event in AuditEvent.objects.all()])
    for secret in secrets:
        assert secret not in rows
        assert secret not in caplog.text
        assert secret not in events
    invariants_hold(heap)


EXPORTS = [
    "/reports/register.csv",
    "/reports/audit.csv",
    "/reports/audit.jsonl",
    "/reports/metrics.csv",
    "/reports/pack.zip",
]


def test_no_export_carries_a_secret_after_a_faulty_run(account, heap, auditor_client) -> None:
    heap.fault(path="user_deletion", status=503, body=f"echo {API_KEY} {BASIC}", times=1)
    request_approve(make_request(account, ["alice@example.com"]), actor=SYSTEM)
    sweep(times=4)
    token = cache.get(token_cache_key(account.deletion_base_url, APP_ID))["access_token"]

    for url in EXPORTS:
        response = auditor_client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if url.endswith(".zip"):  # compressed: read what it holds
            with zipfile.ZipFile(io.BytesIO(body)) as pack:
                body = b"\n".join(pack.read(name) for name in pack.namelist())
        for secret in (API_KEY, BASIC, token):
            assert secret.encode() not in body, url
