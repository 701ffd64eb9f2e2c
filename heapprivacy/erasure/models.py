"""Erasure requests, the Heap identifiers they name, and the deletion batches sent to Heap.

State lives in these rows, never in Celery messages: every sweep finds pending work again here.
State changes are made only by the services modules, each with an audit event.
"""

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from heapprivacy import crypto


class HeapAccount(models.Model):
    """One Heap account: deleting a user through its Main Production app_id covers every env."""

    class Region(models.TextChoices):
        US = "us", "United States"
        EU = "eu", "European Union"

    label = models.SlugField(max_length=64, unique=True)
    app_id = models.CharField(
        max_length=32, validators=[RegexValidator(r"^\d+$", "The app_id is a string of digits.")]
    )
    api_key_encrypted = models.TextField()
    api_key_last4 = models.CharField(max_length=4, blank=True)
    region = models.CharField(max_length=2, choices=Region.choices, default=Region.US)
    deletion_base_url = models.URLField(default="https://heapanalytics.com")
    ingestion_base_url = models.URLField(default="https://heapanalytics.com")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        permissions = [("test_heapaccount", "Can test a Heap account's connection")]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        """One account per Heap app on one Heap host: a second one would split its batches, its
        token and its evidence between two labels."""
        host = urlsplit(self.deletion_base_url).netloc
        same_app = HeapAccount.objects.filter(app_id=self.app_id).exclude(pk=self.pk)
        twin = next(
            (other for other in same_app if urlsplit(other.deletion_base_url).netloc == host),
            None,
        )
        if twin is not None:
            raise ValidationError(
                {"app_id": f"Heap account {twin.label} already holds this app_id on {host}."}
            )

    def set_api_key(self, api_key: str) -> None:
        self.api_key_encrypted = crypto.encrypt(api_key)
        # Only a long key may show its tail: four characters of a short one say too much.
        self.api_key_last4 = api_key[-4:] if len(api_key) >= 16 else ""

    def api_key(self) -> str:
        return crypto.decrypt(self.api_key_encrypted)

    @property
    def api_key_masked(self) -> str:
        return f"••••{self.api_key_last4}"


class ReferenceCounter(models.Model):
    """Last public reference number handed out per year (DSR-2026-000123)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class VisibleRequests(models.Manager["ErasureRequest"]):
    """Every request but those of an import still being written (`staged_import`).

    Written as NOT (staged_import > '') rather than staged_import = '', which means the same for
    a column that holds no NULL: without statistics PostgreSQL takes an equality to match 0.5%
    of the rows, and then scans and sorts the whole table for a page of the console's list
    instead of reading its index in order; it takes the negated inequality to match 2/3.
    """

    def get_queryset(self) -> models.QuerySet["ErasureRequest"]:
        return super().get_queryset().exclude(staged_import__gt="")


class ErasureRequest(models.Model):
    """A data subject's request to be erased (a DSAR), from receipt to Heap's confirmation.

    `objects` never returns a request whose `staged_import` is set: a long import writes its
    requests in many short transactions under its key, hidden from every list, count and
    action, and shows them all at once when it completes (imports/staging.py). Only the import
    reads them, through `with_staged`.
    """

    class Source(models.TextChoices):
        FORM = "form", "Public form"
        API = "api", "API"
        CSV = "csv", "CSV import"
        STAFF = "staff", "Staff"

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        VERIFIED = "verified", "Verified"
        APPROVED = "approved", "Approved"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"

    class Decision(models.TextChoices):
        NONE = "", "Undecided"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    OPEN_STATES = (
        State.RECEIVED,
        State.VERIFIED,
        State.APPROVED,
        State.IN_PROGRESS,
        State.NEEDS_ATTENTION,
    )

    reference = models.CharField(max_length=32, unique=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    external_ref = models.CharField(max_length=255, blank=True, db_index=True)
    # An email address (each intake channel validates it), or `hmac:<64 hex>` once retention has
    # pseudonymised the request (retention.py): hence a CharField of EmailField's length.
    requester_email = models.CharField(max_length=254, blank=True)
    jurisdiction = models.CharField(max_length=16)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED)
    received_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    # The legal clock (deadlines.py): computed from the jurisdiction's rule, never typed in.
    clock_started_at = models.DateTimeField(null=True, blank=True)
    # The calendar days stopped for clarification (UK GDPR), counted from clock_pauses whenever
    # the clock changes, so a restart drops the days stopped before the clock started.
    clock_paused_days = models.PositiveIntegerField(default=0)
    clock_paused_at = models.DateTimeField(null=True, blank=True)
    # Every finished pause, [paused_at, resumed_at] as ISO 8601 text (clock.py), kept so that
    # the stopped days can be counted again from a new clock start.
    clock_pauses = models.JSONField(default=list, blank=True)
    acknowledge_by = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    extended_due_at = models.DateTimeField(null=True, blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    due_override_reason = models.TextField(blank=True)
    # Why it was approved though nobody verified the requester's identity (the officer's words).
    verification_override = models.TextField(blank=True)
    latest_safe_submit = models.DateTimeField(null=True, blank=True, db_index=True)
    # How many subjects the request names: set as they are added (only before the decision),
    # and how many of them Heap has confirmed erased, counted as each batch completes
    # (requests.requests_complete_finished): completing a request and counting its subjects
    # never reads them all.
    subject_count = models.PositiveIntegerField(default=0)
    subjects_erased = models.PositiveIntegerField(default=0)
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    reason_code = models.CharField(max_length=64, blank=True)
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set when retention replaced its personal data by keyed hashes (retention.py).
    pseudonymised_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The key of the import still writing it (its job's token), "" once visible.
    staged_import = models.CharField(max_length=32, blank=True, default="")

    # Not fields: set on the rows a selector returns, where it reads them (for the type checker).
    subject_counts: dict[str, int]  # api.selectors.request_detail
    batches: list["DeletionBatch"]  # api.selectors.request_detail

    with_staged = models.Manager()
    objects = VisibleRequests()

    class Meta:
        default_manager_name = "objects"
        indexes = [
            models.Index(fields=["state", "received_at"]),
            # The console's list order (newest first, id to break ties), read either way.
            models.Index(fields=["received_at", "id"], name="request_received_idx"),
            # The requests of imports still being written: none, or one import's, at rest.
            models.Index(
                fields=["staged_import"],
                name="request_staged_idx",
                condition=~Q(staged_import=""),
            ),
        ]
        permissions = [
            ("verify_request", "Can mark a request's identity verified"),
            ("decide_request", "Can approve or reject a request"),
            ("cancel_request", "Can cancel a request"),
            ("annotate_request", "Can add notes to a request"),
            ("extend_request", "Can extend a request's deadline once"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def acknowledgement_overdue(self) -> bool:
        """Open, past its acknowledge-by date, and not acknowledged (as SQL:
        due.acknowledgement_overdue)."""
        return (
            self.state in self.OPEN_STATES
            and self.acknowledged_at is None
            and self.acknowledge_by is not None
            and self.acknowledge_by < timezone.now()
        )

    @property
    def deadline(self) -> "datetime | None":
        """The deadline in force: the extended one once the request was extended (as SQL:
        due.DEADLINE_IN_FORCE)."""
        return self.extended_due_at or self.due_at


class SubjectQuerySet(models.QuerySet):
    def with_heap_state(self) -> "SubjectQuerySet":
        """Annotate `heap_state` (a Subject.State value) and `erased_at`, from the batch."""
        batch = DeletionBatch.State
        return self.annotate(
            heap_state=models.Case(
                models.When(batch__state=batch.COMPLETE, then=models.Value(Subject.State.ERASED)),
                models.When(
                    batch__submitted_at__isnull=False, then=models.Value(Subject.State.SUBMITTED)
                ),
                default=models.F("state"),
                output_field=models.CharField(),
            ),
            erased_at=models.Case(
                models.When(batch__state=batch.COMPLETE, then=models.F("batch__completed_at")),
                output_field=models.DateTimeField(),
            ),
        )


class Subject(models.Model):
    """One Heap identifier named by a request, sent to one Heap account.

    The value is kept byte for byte: never trimmed, lowercased or normalised. `value_hmac` is
    its keyed hash (reports.pseudonyms.subject_pseudonym), set at creation and kept when
    retention replaces the value by `hmac:<value_hmac>`: it is how a new subject is recognised
    as one Heap has erased before (`previously_erased`, CCPA § 7022(e) allows keeping it).

    `state` is stored up to packing (pending, queued, batched; or rejected). From then on the
    subject's Heap state is its batch's, never copied onto 10,000 rows per transition:
    submitted once the batch was accepted (`submitted_at`), erased once Heap reported it
    complete (`completed_at` is the erasure time). `Subject.objects.with_heap_state()` reads it.
    """

    class Kind(models.TextChoices):
        IDENTITY = "identity", "Identity"
        USER_ID = "user_id", "User id"

    class State(models.TextChoices):
        PENDING = "pending", "Pending approval"
        QUEUED = "queued", "Queued"
        BATCHED = "batched", "Batched"
        SUBMITTED = "submitted", "Submitted to Heap"
        ERASED = "erased", "Erased"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed"

    # Both foreign keys are indexed with the id (Meta.indexes): a page of a request's or a
    # batch's subjects in id order then reads its 50 rows, not all 1,000,000.
    request = models.ForeignKey(
        ErasureRequest, on_delete=models.PROTECT, related_name="subjects", db_index=False
    )
    account = models.ForeignKey(HeapAccount, on_delete=models.PROTECT, related_name="subjects")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=255)
    value_hmac = models.CharField(max_length=64, blank=True)
    previously_erased = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    queued_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(
        "DeletionBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        db_index=False,
    )

    objects = SubjectQuerySet.as_manager()
    heap_state: str  # not a field: annotated by SubjectQuerySet.with_heap_state()

    class Meta:
        indexes = [
            # Packing claims queued rows in id order per account; a partial index keeps that
            # cheap after millions of rows have moved on (DESIGN.md, performance notes).
            models.Index(
                fields=["account", "id"], name="subject_queued_idx", condition=Q(state="queued")
            ),
            # The lookups of a subject by its keyed hash (previously erased, already in an
            # open request of the account) name all three: one index serves each probe, so the
            # planner has no reason to AND in an index matching every row (importer.py).
            models.Index(fields=["value_hmac", "kind", "account"], name="subject_key_idx"),
            models.Index(fields=["request", "id"], name="subject_request_idx"),
            models.Index(fields=["batch", "id"], name="subject_batch_idx"),
            # The console marks requests with a flagged subject: a small index of those only.
            models.Index(
                fields=["request"],
                name="subject_prev_erased_idx",
                condition=Q(previously_erased=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def heap_state_display(self) -> str:
        """The label of `heap_state`, on subjects read through with_heap_state()."""
        return Subject.State(self.heap_state).label


class DeletionBatch(models.Model):
    """One user_deletion call: at most 10,000 members, frozen once packed."""

    class State(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting second approval"
        READY = "ready", "Ready"
        SENDING = "sending", "Sending"
        SUBMITTED = "submitted", "Submitted"
        COMPLETE = "complete", "Complete"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"

    account = models.ForeignKey(HeapAccount, on_delete=models.PROTECT, related_name="batches")
    state = models.CharField(max_length=20, choices=State.choices, default=State.READY)
    size = models.PositiveIntegerField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    payload_sha256 = models.CharField(max_length=64)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    deletion_request_id = models.CharField(max_length=255, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    polls = models.PositiveIntegerField(default=0)
    last_status = models.CharField(max_length=255, blank=True)
    last_error = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["state", "next_poll_at"]),
            models.Index(fields=["state", "lease_until"]),
        ]
        permissions = [
            ("release_batch", "Can release queued subjects into a batch now"),
            ("retry_batch", "Can retry a batch that needs attention"),
            ("approve_batch", "Can give the second approval a large batch needs"),
        ]

    def __str__(self) -> str:
        return f"batch #{self.pk}"

    @property
    def member_state(self) -> str:
        """The Subject.State its members are in (SubjectQuerySet.with_heap_state, in SQL)."""
        if self.state == self.State.COMPLETE:
            return Subject.State.ERASED
        if self.submitted_at is not None:
            return Subject.State.SUBMITTED
        return Subject.State.BATCHED


class BatchRequest(models.Model):
    """How many subjects of one request one batch holds, written when the batch is packed.

    Packing is the only writer, and a batch is frozen once packed, so these rows never change.
    They answer "which requests does this batch serve" and "which batches, and how far along,
    does this request have" from a handful of rows instead of the request's every subject.
    """

    batch = models.ForeignKey(DeletionBatch, on_delete=models.PROTECT, related_name="request_links")
    request = models.ForeignKey(
        ErasureRequest, on_delete=models.PROTECT, related_name="batch_links"
    )
    members = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "request"], name="one_link_per_batch_request")
        ]

    def __str__(self) -> str:
        return f"batch #{self.batch_id}: {self.members} of request #{self.request_id}"


class SubmissionAttempt(models.Model):
    """One POST user_deletion for a batch. Evidence: never overwritten, only completed once."""

    class Outcome(models.TextChoices):
        IN_FLIGHT = "in_flight", "In flight"
        ACCEPTED = "accepted", "Accepted by Heap"
        TRANSIENT = "transient", "Transient failure"
        PERMANENT = "permanent", "Permanent failure"
        LOST = "lost", "Worker lost mid-call"

    batch = models.ForeignKey(DeletionBatch, on_delete=models.PROTECT, related_name="submissions")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.IN_FLIGHT)
    error_class = models.CharField(max_length=64, blank=True)
    maybe_processed = models.BooleanField(default=False)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    deletion_request_id = models.CharField(max_length=255, blank=True)
    response_sha256 = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="one_attempt_number_per_batch")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of batch #{self.batch_id}: {self.outcome}"


class StatusPoll(models.Model):
    """One GET deletion_status for a submitted batch, kept as evidence."""

    batch = models.ForeignKey(DeletionBatch, on_delete=models.PROTECT, related_name="status_polls")
    at = models.DateTimeField()
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=255, blank=True)
    error_class = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"poll of batch #{self.batch_id} at {self.at:%Y-%m-%d %H:%M}: {self.status}"


class RequestNote(models.Model):
    """A note an officer adds to a request. Kept here, not in the audit trail: it may name people,
    and the audit trail holds no personal data (it records the note's id)."""

    request = models.ForeignKey(ErasureRequest, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"note #{self.pk} on {self.request_id}"
