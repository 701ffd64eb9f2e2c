"""The outbox: one row per email, written in the same transaction as the change it reports.

The row, not the Celery message, is the email's only record until it is sent (DESIGN.md
invariant 1): the sweep finds pending rows again, whatever happened to the message.
"""

from django.db import models
from django.db.models import Q

from heapprivacy.erasure.models import ErasureRequest


class Notification(models.Model):
    """One email to one recipient.

    The address and the template context (links, reasons) are kept only until the email is
    sent or given up: a row in a final state holds the recipient's keyed hash and nothing that
    names them.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    request = models.ForeignKey(
        ErasureRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    template = models.CharField(max_length=100)
    subject = models.CharField(max_length=200)
    recipient = models.EmailField(blank=True)
    recipient_hmac = models.CharField(max_length=64)
    context = models.JSONField(default=dict, blank=True)
    # Emails that must go once per occasion whoever asks twice (the daily digest); empty: none.
    key = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error_class = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="one_email_per_key")
        ]
        indexes = [
            # The sweep's query; sent and failed rows pile up and are never read by it.
            models.Index(
                fields=["next_attempt_at"],
                name="notification_pending_idx",
                condition=Q(state="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} #{self.pk} ({self.state})"
