from django.db import models

from heapprivacy.erasure.models import ErasureRequest


class Report(models.Model):
    """No table: it only carries the permission to export reports (Auditor, Privacy officer)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("export_reports", "Can export reports and download certificates")]

    def __str__(self) -> str:
        return "reports"


class Certificate(models.Model):
    """The certificate of erasure of a completed request, issued once and served byte for byte
    ever after, so that its JSON and its PDF (rendered from this body) always agree."""

    request = models.OneToOneField(
        ErasureRequest, on_delete=models.PROTECT, related_name="certificate"
    )
    issued_at = models.DateTimeField()
    body = models.TextField()  # canonical JSON (certificates.canonical_json)
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"certificate of {self.request_id}"
