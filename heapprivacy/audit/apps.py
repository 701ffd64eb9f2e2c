from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The append-only, hash-chained audit trail (docs/audit.md)."""

    name = "heapprivacy.audit"
    label = "audit"
