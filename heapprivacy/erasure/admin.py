"""The Django admin for erasure evidence: every page read-only.

Changes go through the services (and the console), which write the audit trail; the admin never
adds, edits or deletes a row, because these rows are the evidence. The Heap api_key is neither
shown nor its ciphertext: only `api_key_masked`.
"""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from heapprivacy.erasure.imports.characters import marked_html
from heapprivacy.erasure.models import (
    DeletionBatch,
    ErasureRequest,
    HeapAccount,
    RequestNote,
    StatusPoll,
    Subject,
    SubmissionAttempt,
)
from heapprivacy.erasure.selectors import request_timeline


class ReadOnly:
    """No add, change or delete for anyone, superusers included: evidence is never edited."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(HeapAccount)
class HeapAccountAdmin(ReadOnly, admin.ModelAdmin):
    # Listed field by field: a new model field must be added here on purpose, not shown by default.
    fields = [
        "label",
        "app_id",
        "api_key_masked",
        "region",
        "deletion_base_url",
        "ingestion_base_url",
        "is_active",
        "created_at",
    ]
    readonly_fields = ["api_key_masked", "created_at"]
    list_display = ["label", "app_id", "api_key_masked", "region", "is_active", "created_at"]
    list_filter = ["region", "is_active"]
    search_fields = ["label", "=app_id"]

    @admin.display(description="API key")
    def api_key_masked(self, account: HeapAccount) -> str:
        return account.api_key_masked


@admin.register(ErasureRequest)
class ErasureRequestAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["reference", "state", "source", "jurisdiction", "received_at", "due_at"]
    list_filter = ["state", "source", "jurisdiction", "decision"]
    search_fields = ["=reference", "=external_ref", "=requester_email"]
    date_hierarchy = "received_at"
    readonly_fields = ["lifecycle"]
    show_full_result_count = False

    @admin.display(description="lifecycle")
    def lifecycle(self, erasure_request: ErasureRequest) -> SafeString:
        """The request's audit events, oldest first; every value escaped by format_html_join."""
        events = request_timeline(erasure_request)
        rows = format_html_join(
            "",
            "<li>{} · {} · {}</li>",
            (
                (event.at.strftime("%Y-%m-%d %H:%M:%S"), event.action, event.actor_label)
                for event in events
            ),
        )
        return format_html("<ol>{}</ol>", rows) if rows else format_html("{}", "—")


@admin.register(Subject)
class SubjectAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "kind", "shown_value", "state", "account", "request", "batch"]
    list_filter = ["state", "kind", "account"]
    search_fields = ["=value", "=request__reference"]
    list_select_related = ["account", "request"]
    raw_id_fields = ["request", "batch"]
    show_full_result_count = False

    @admin.display(description="value")
    def shown_value(self, subject: Subject) -> SafeString:
        # Invisible and look-alike characters marked, as in the console.
        return format_html("<code>{}</code>", marked_html(subject.value))


class AttemptInline(ReadOnly, admin.TabularInline):
    model = SubmissionAttempt
    extra = 0
    fields = [
        "number",
        "started_at",
        "finished_at",
        "outcome",
        "http_status",
        "error_class",
        "message",
        "maybe_processed",
        "deletion_request_id",
        "response_sha256",
    ]


class PollInline(ReadOnly, admin.TabularInline):
    model = StatusPoll
    extra = 0
    fields = ["at", "http_status", "status", "error_class", "message"]


@admin.register(DeletionBatch)
class DeletionBatchAdmin(ReadOnly, admin.ModelAdmin):
    inlines = [AttemptInline, PollInline]
    list_display = [
        "pk",
        "account",
        "state",
        "size",
        "attempts",
        "deletion_request_id",
        "created_at",
        "completed_at",
    ]
    list_filter = ["state", "account"]
    search_fields = ["=deletion_request_id", "=payload_sha256"]
    list_select_related = ["account"]
    date_hierarchy = "created_at"


@admin.register(RequestNote)
class RequestNoteAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "request", "author", "created_at"]
    search_fields = ["=request__reference"]
    list_select_related = ["request", "author"]
    raw_id_fields = ["request"]
