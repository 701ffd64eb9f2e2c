from django.contrib import admin
from django.http import HttpRequest

from heapprivacy.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit_record alone writes events, and nothing ever changes or deletes one."""

    list_display = ["seq", "at", "actor", "action", "target", "request_ref"]
    search_fields = ["=request_ref"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    @admin.display(description="actor")
    def actor(self, event: AuditEvent) -> str:
        return f"{event.actor_kind}: {event.actor_label}"

    @admin.display(description="target")
    def target(self, event: AuditEvent) -> str:
        return f"{event.target_type} {event.target_id}".strip()
