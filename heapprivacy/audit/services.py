"""Writing the audit trail. audit_record is the only code that inserts AuditEvent rows."""

import copy
import logging
import os
import re
from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.chain import GENESIS_HASH, event_hash
from heapprivacy.audit.models import AuditEvent, chain_dict
from heapprivacy.bulkcopy import rows_insert

logger = logging.getLogger("heapprivacy.audit")

# Key of the PostgreSQL advisory lock that serialises appends: b"audit" read as an integer.
APPEND_LOCK_KEY = 0x6175646974

# Events inserted per statement by audit_record_many.
BULK_CHUNK = 2_000

ACTION_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")

# Detail keys that name a secret or a raw personal datum, compared case-insensitively with
# "_" and "-" removed (so apiKey and API-KEY match too). Callers pass ids and keyed hashes.
FORBIDDEN_DETAIL_KEYS = frozenset(
    {
        "apikey",
        "token",
        "accesstoken",
        "authorization",
        "password",
        "secret",
        "email",
        "identity",
        "value",
    }
)


def audit_record(
    action: str,
    *,
    actor: Actor,
    target: models.Model | None = None,
    request_ref: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction if there is one.

    A state change and its event therefore commit together or not at all, and a rolled-back
    event leaves no gap: the next append reads the head again under the same lock.
    """
    action_check(action)
    details = details_checked({} if details is None else details)
    target_type, target_id = target_identify(target)
    # No savepoint: an event that fails must take the caller's change down with it anyway.
    with transaction.atomic(savepoint=False):
        append_lock()
        seq, prev_hash = audit_head()
        event = AuditEvent(
            seq=seq + 1,
            at=timezone.now(),
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_label=actor.label,
            action=action,
            target_type=target_type,
            target_id=target_id,
            request_ref=request_ref,
            details=details,
            prev_hash=prev_hash,
        )
        event.hash = event_hash(event.to_chain_dict())
        event.save(force_insert=True)
    return event


def audit_record_many(
    action: str,
    *,
    actor: Actor,
    model: type[models.Model],
    events: Iterable[tuple[object, str, dict[str, Any]]],
) -> int:
    """Append one `action` event per (target pk, request_ref, details) of `events`, in order.

    The same chain as audit_record, event by event, but the head is read once and the events
    are inserted BULK_CHUNK at a time: what bulk imports and batch transitions that touch
    thousands of requests record. Each details dict is checked and stored as it is, not
    copied: pass fresh ones. Returns how many were appended.
    """
    action_check(action)
    target_type = model._meta.label_lower
    appended = 0
    with transaction.atomic(savepoint=False):
        append_lock()
        seq, prev_hash = audit_head()
        rows = iter(events)
        while chunk := list(islice(rows, BULK_CHUNK)):
            at = timezone.now()
            batch = []
            for target_id, request_ref, details in chunk:
                seq += 1
                event = {
                    "seq": seq,
                    "at": at,
                    "actor_kind": actor.kind,
                    "actor_id": actor.id,
                    "actor_label": actor.label,
                    "action": action,
                    "target_type": target_type,
                    "target_id": str(target_id),
                    "request_ref": request_ref,
                    "details": details_checked(details, copy_it=False),
                    "prev_hash": prev_hash,
                }
                event["hash"] = prev_hash = event_hash(chain_dict(event))
                batch.append(event)
            rows_insert(AuditEvent, batch)
            appended += len(batch)
    return appended


def audit_anchor() -> AuditEvent:
    """Record a chain.anchor event, then publish the new head outside the database.

    The details repeat the head before the event (also its prev_hash) for people reading the
    trail. Once committed, the line "AT SEQ:HASH" of the anchor event goes to the log and, when
    AUDIT_ANCHOR_FILE is set, to the end of that file: copies that whoever controls the database
    cannot rewrite, for `verify_audit --anchor SEQ:HASH` to check later (docs/audit.md).
    """
    with transaction.atomic():
        append_lock()
        seq, head_hash = audit_head()
        event = audit_record(
            "chain.anchor",
            actor=Actor.system("audit anchor"),
            details={"head_seq": seq, "head_hash": head_hash},
        )
        # Published after commit only: an anchor must never name an event that rolled back.
        transaction.on_commit(lambda: anchor_publish(event))
    return event


def anchor_publish(event: AuditEvent) -> None:
    line = f"{event.to_chain_dict()['at']} {event.seq}:{event.hash}"
    logger.info("audit anchor %s", line)
    if settings.AUDIT_ANCHOR_FILE:
        with open(settings.AUDIT_ANCHOR_FILE, "a", encoding="utf-8") as anchors:
            anchors.write(line + "\n")
            anchors.flush()
            os.fsync(anchors.fileno())


def audit_head() -> tuple[int, str]:
    """(seq, hash) of the newest event, or (0, GENESIS_HASH) for an empty trail."""
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return head or (0, GENESIS_HASH)


def append_lock() -> None:
    """Serialise appends until the transaction ends, so two writers never read the same head.

    PostgreSQL: a transaction-scoped advisory lock; under READ COMMITTED the head query that
    follows sees the previous holder's committed event. SQLite: the project opens every
    transaction with BEGIN IMMEDIATE (settings.py), which already holds the one write lock.
    The unique seq and hash columns are the backstop: a fork fails instead of committing.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK_KEY])


def action_check(action: str) -> None:
    if not ACTION_PATTERN.fullmatch(action) or len(action) > 64:
        raise ValueError(f"audit action {action!r} is not dotted lowercase like request.approved")


def target_identify(target: models.Model | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    if target.pk is None:
        raise ValueError("an audit target must be saved before it is recorded")
    return target._meta.label_lower, str(target.pk)


def details_checked(details: dict[str, Any], *, copy_it: bool = True) -> dict[str, Any]:
    """A private copy of details (with `copy_it`; bulk callers hand over fresh dicts), refused
    unless it is plain JSON with no secret or personal key."""
    if not isinstance(details, dict):
        raise ValueError("audit details must be a JSON object (a dict)")
    details_check(details, "details")
    return copy.deepcopy(details) if copy_it else details


def details_check(value: object, path: str) -> None:
    """Refuse by path, never echoing a value: the value may be the very secret being refused."""
    if isinstance(value, dict):
        for key, item in value.items():
            key_check(key, path)
            details_check(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            details_check(item, f"{path}[{index}]")
    elif isinstance(value, float):
        # PostgreSQL jsonb hands some floats back as different JSON text (1e20 returns as an
        # integer, -0.0 as 0.0), which would change the event's hash after the round trip.
        raise ValueError(f"{path}: floats are not allowed in audit details; use a string")
    elif not (value is None or isinstance(value, str | int)):
        raise ValueError(f"{path}: {type(value).__name__} is not allowed in audit details")


def key_check(key: object, path: str) -> None:
    if not isinstance(key, str):
        raise ValueError(f"{path}: audit detail keys must be strings")
    if re.sub(r"[-_]", "", key).lower() in FORBIDDEN_DETAIL_KEYS:
        raise ValueError(
            f"{path}.{key}: audit details must not hold secrets or personal data; "
            "record an id or a keyed hash under another name"
        )
