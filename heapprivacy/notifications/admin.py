"""The outbox in the Django admin, read-only: what was emailed, when, and what failed.

Neither the address nor the context (links, reasons) is shown: a pending row still holds them,
and the admin is no place to read them. The keyed hash identifies the recipient to whoever
already knows the address.
"""

from django.contrib import admin

from heapprivacy.erasure.admin import ReadOnly
from heapprivacy.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnly, admin.ModelAdmin):
    # Listed field by field: a new model field must be added here on purpose, not shown by default.
    fields = [
        "template",
        "request",
        "subject",
        "recipient_hmac",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error_class",
        "created_at",
        "sent_at",
    ]
    list_display = ["pk", "template", "request", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state", "template"]
    list_select_related = ["request"]
    search_fields = ["=request__reference", "=recipient_hmac"]
