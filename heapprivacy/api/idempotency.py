"""Idempotency-Key: a retried create gets the first response back and creates nothing.

The first successful response is stored with a fingerprint of the call (method, path, body) in
the same transaction as what it created, so a crash cannot leave one without the other. Two
concurrent calls with one key: the unique (client, key) constraint lets one commit; the other
rolls back whatever it did and replays the winner's response. A refused call (4xx) is not
stored: corrected, it may be sent again with the same key.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from heapprivacy.api.errors import IdempotencyKeyReused
from heapprivacy.api.models import ApiClient, IdempotencyRecord

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"[!-~]{1,255}")  # visible ASCII (! to ~): a UUID fits, so does a ULID


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]
    replayed: bool


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationError({HEADER: ["Use 1 to 255 visible ASCII characters, e.g. a UUID."]})
    return key


def call_fingerprint(request: Request) -> str:
    call = {"method": request.method, "path": request.path, "body": request.data}
    canonical = json.dumps(call, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def idempotency_replay(client: ApiClient, key: str, fingerprint: str) -> Outcome | None:
    """The stored outcome for this key, None if there is none; refused for another call."""
    record = IdempotencyRecord.objects.filter(client=client, key=key).first()
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    return Outcome(record.response_status, json.loads(record.response_body), replayed=True)


def idempotent(
    client: ApiClient,
    key: str | None,
    fingerprint: str,
    perform: Callable[[], tuple[int, dict[str, Any]]],
) -> Outcome:
    """Run `perform` (which returns status and body) once per key, atomically with its record."""
    if key is None:
        return Outcome(*perform(), replayed=False)
    try:
        with transaction.atomic():
            status, body = perform()
            IdempotencyRecord.objects.create(
                client=client,
                key=key,
                request_hash=fingerprint,
                response_status=status,
                response_body=json.dumps(body),
            )
    except IntegrityError:
        outcome = idempotency_replay(client, key, fingerprint)
        if outcome is None:
            raise
        return outcome
    return Outcome(status, body, replayed=False)
