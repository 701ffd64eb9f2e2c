from datetime import UTC
from typing import Any

from django.db import models

from heapprivacy.audit.actors import ActorKind


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit trail (docs/audit.md).

    Written only by services.audit_record. `hash` covers every other field plus the previous
    event's hash, so an edited, deleted or reordered row shows up in verify_audit.
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
        """The event as chain.py hashes it, plus its stored hash.

        `at` is always UTC with six fractional digits: SQLite and PostgreSQL both keep
        microseconds, so the string read back equals the string hashed at insert.
        """
        return {
            "seq": self.seq,
            "at": self.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_kind": self.actor_kind,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "request_ref": self.request_ref,
            "details": self.details,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }
