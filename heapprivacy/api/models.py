"""API clients (scoped bearer tokens, stored hashed) and the responses kept for Idempotency-Key."""

from django.conf import settings
from django.db import models


class Scope(models.TextChoices):
    """What a token may do, method by method. Each API view names the one scope it needs."""

    REQUESTS_CREATE = "requests:create", "Create requests"
    REQUESTS_READ = "requests:read", "Read requests"
    REQUESTS_DECIDE = "requests:decide", "Approve or reject requests"
    BATCHES_READ = "batches:read", "Read deletion batches"
    AUDIT_READ = "audit:read", "Read the audit trail"


class ApiClient(models.Model):
    """Another system calling the REST API with a bearer token.

    Only the SHA-256 of the token is stored, with its first characters (`token_prefix`) so that
    people can tell tokens apart; the token itself is shown once, when the client is created.
    """

    name = models.CharField(max_length=100, unique=True)
    token_prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # DRF hands the authenticated client to request.user: it answers like a signed-in user.
    is_authenticated = True
    is_anonymous = False

    class Meta:
        permissions = [("manage_apiclient", "Can create and revoke API clients")]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class IdempotencyRecord(models.Model):
    """The first response to a create sent with an Idempotency-Key, replayed to its retries.

    `request_hash` fingerprints the method, path and body: the same key with another body is
    refused instead of answered with a response that belongs to something else.
    """

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    # JSON text, not a JSONField: PostgreSQL's jsonb reorders keys, and a replay must answer
    # the very bytes of the first response.
    response_body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="one_response_per_client_key")
        ]

    def __str__(self) -> str:
        return f"idempotency key of client #{self.client_id}"
