"""The one row the public form needs beyond the request itself: an emailed verification link."""

from django.db import models
from django.utils import timezone

from heapprivacy.erasure.models import ErasureRequest


class VerificationLink(models.Model):
    """A verification link emailed to a requester; single use.

    The signed token in the link carries `nonce`: the signature (with its timestamp) proves we
    made the link and when, this row proves it has not been used. Using it sets `used_at`
    with a conditional UPDATE, so two clicks racing each other cannot both succeed.
    """

    request = models.ForeignKey(
        ErasureRequest, on_delete=models.PROTECT, related_name="verification_links"
    )
    nonce = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"verification link #{self.pk} of {self.request_id}"
