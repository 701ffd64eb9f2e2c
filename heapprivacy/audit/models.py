from datetime import UTC
from typing import Any

from django.db import models

from heapprivacy.audit.actors import ActorKind
from heapprivacy.audit.chain import EXPORT_FIELDS


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit trail (docs/audit.md).

    Written only by services.audit_record and audit_record_many. `hash` covers every other field
    plus the previous event's hash, so an edited, deleted or reordered row shows up in
    verify_audit.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor_kind = models.CharField(max_length=16, choices=ActorKind)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    request_ref = models.CharField(max_length=32, blank=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def to_chain_dict(self) -> dict[str, Any]:
        """The event as chain.py hashes it, plus its stored hash (chain_dict)."""
        return chain_dict({field: getattr(self, field) for field in EXPORT_FIELDS})


def chain_dict(event: dict[str, Any]) -> dict[str, Any]:
    """An event's fields as chain.py hashes them: `at` as UTC text with six fractional digits
    (SQLite and PostgreSQL both keep microseconds, so the string read back equals the string
    hashed at insert). `event` holds the model's fields; `hash` may be missing before it is
    computed."""
    return {**event, "at": event["at"].astimezone(UTC).isoformat(timespec="microseconds")}
