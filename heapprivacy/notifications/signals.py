"""What the outbox announces to the apps above it, which it never imports."""

from django.dispatch import Signal

# An email was sent: `notification` (a Notification, as it was before its row forgot the
# address). Sent inside the transaction that records it sent, so what a receiver records with it
# (intake: the request's acknowledgement) commits or rolls back with that record.
notification_sent = Signal()
