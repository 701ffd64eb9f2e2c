"""The rows intake needs beyond the request itself: verification links and CSV import jobs."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from heapprivacy.erasure.models import ErasureRequest, HeapAccount


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


class ImportJob(models.Model):
    """A confirmed CSV upload, imported by a worker: the row a sweep finds again.

    `queued` → `running` (claimed with a conditional UPDATE, `attempts` counted) → `done` or
    `failed`. While it runs, each transaction of the worker's import renews `alive_at`; a
    `running` row silent for a minute is a dead worker's, and the sweep queues it again (what it
    wrote is hidden: `heapprivacy/intake/imports.py`). Counts while running live in the cache,
    the final report here; the report's per-line part may quote a cell of the file, so it is
    removed a day after the import finishes, leaving the counts.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    token = models.CharField(max_length=32, unique=True)  # the upload's: names its file
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    account = models.ForeignKey(HeapAccount, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    rows = models.PositiveIntegerField()  # what the preview read: the progress bar's 100 %
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requests = models.PositiveIntegerField(default=0)
    subjects = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    report = models.JSONField(null=True, blank=True)  # ImportReport as a dict, for a day
    # The run's sign of life, renewed in each of its transactions (intake/imports.py).
    alive_at = models.DateTimeField(null=True, blank=True)
    # None while the rows are written; then the last request id whose events are recorded.
    audited_through = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["state"],
                condition=models.Q(state__in=["queued", "running"]),
                name="intake_importjob_pending",
            )
        ]

    def __str__(self) -> str:
        return f"import job #{self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
