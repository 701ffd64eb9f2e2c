"""Input and output serializers, one set per operation. Inputs validate; they never write.

Subjects are validated by `subject_parse`, the rules every intake channel shares.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.lifecycle.requests import (
    REASONS_NEEDING_A_NOTE,
    REJECTION_REASONS,
    ReceivedOutOfRange,
    received_at_check,
)
from heapprivacy.erasure.lifecycle.subjects import InvalidSubject, SubjectInput, subject_parse
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, HeapAccount, Subject
from heapprivacy.heap.validation import MAX_DELETION_USERS

# --- fields ---------------------------------------------------------------------------------


class SubjectValueField(serializers.Field):
    """Passes the JSON value through untouched: subject_parse decides, for every channel alike.
    (schema.SubjectSchema documents the two shapes a subject takes.)"""

    def to_internal_value(self, data: object) -> object:
        return data

    def to_representation(self, value: object) -> object:
        return value


class OptionalTextField(serializers.CharField):
    """A text column that is empty until something happens, shown as null until then."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value: object) -> str | None:  # type: ignore[override]
        return str(value) if value else None


def jurisdiction_field(**kwargs: Any) -> serializers.ChoiceField:
    # Built per serializer instance: settings.JURISDICTIONS is read when the request arrives.
    return serializers.ChoiceField(choices=list(settings.JURISDICTIONS), **kwargs)


# --- requests: inputs -----------------------------------------------------------------------


class SubjectIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Subject.Kind.choices)
    value = SubjectValueField()

    def validate(self, attrs: dict[str, Any]) -> SubjectInput:
        try:
            return subject_parse(attrs["kind"], attrs["value"])
        except InvalidSubject as error:
            raise serializers.ValidationError({"value": [str(error)]}) from None


class RequestCreateIn(serializers.Serializer):
    subjects = SubjectIn(  # type: ignore[call-arg]  # many=True takes ListSerializer's arguments
        many=True,
        allow_empty=False,
        max_length=MAX_DELETION_USERS,
        help_text="1 to 10,000 Heap identifiers, validated as every intake channel does.",
    )
    heap_account = serializers.SlugRelatedField(
        slug_field="label",
        queryset=HeapAccount.objects.all(),
        help_text="Label of the Heap account the subjects are erased from.",
        error_messages={"does_not_exist": "No Heap account has this label."},
    )
    received_at = serializers.DateTimeField(
        required=False,
        help_text="When the data subject asked (default: now). Not in the future, nor before "
        "2018-05-25 (the GDPR).",
    )
    external_ref = serializers.CharField(
        max_length=255, required=False, default="", allow_blank=True, trim_whitespace=False
    )
    requester_email = serializers.EmailField(
        max_length=254, required=False, default="", allow_blank=True
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            **super().get_fields(),
            "jurisdiction": jurisdiction_field(
                required=False,
                default=settings.DEFAULT_JURISDICTION,
                help_text=f"Default: {settings.DEFAULT_JURISDICTION}.",
            ),
        }

    def validate_received_at(self, value: Any) -> Any:
        try:
            received_at_check(value)
        except ReceivedOutOfRange as error:
            raise serializers.ValidationError(f"{error}.") from None
        return value


class RequestFilterIn(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=ErasureRequest.State.choices,
        required=False,
        help_text="Only requests in this state.",
    )
    external_ref = serializers.CharField(
        max_length=255,
        required=False,
        trim_whitespace=False,
        help_text="Only requests created with this external_ref (exact match).",
    )
    received_after = serializers.DateTimeField(
        required=False, help_text="Only requests received at or after this time."
    )
    received_before = serializers.DateTimeField(
        required=False, help_text="Only requests received before this time."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        jurisdiction = jurisdiction_field(
            required=False, help_text="Only requests under this jurisdiction."
        )
        return {**super().get_fields(), "jurisdiction": jurisdiction}


class RequestApproveIn(serializers.Serializer):
    verification_override = serializers.CharField(
        max_length=4000,
        required=False,
        default="",
        allow_blank=True,
        help_text=(
            "Required to approve a request still in state `received` (its requester's identity "
            "not verified here): why it may be approved anyway, e.g. how your system verified "
            "the requester. Kept on the request; its certificate says it was approved "
            "without verification."
        ),
    )


class RequestRejectIn(serializers.Serializer):
    reason_code = serializers.ChoiceField(choices=REJECTION_REASONS)
    note = serializers.CharField(
        max_length=4000,
        required=False,
        default="",
        allow_blank=True,
        help_text=(
            "Kept on the request; never written to the audit trail. Required with reason "
            "`other`: the subject's email gives it as the reason."
        ),
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["reason_code"] in REASONS_NEEDING_A_NOTE and not data["note"].strip():
            raise serializers.ValidationError({"note": "Required with this reason_code."})
        return data


# --- requests: outputs ----------------------------------------------------------------------


class RequestLinksOut(serializers.Serializer):
    self = serializers.URLField()
    approve = serializers.URLField()
    reject = serializers.URLField()


class RequestOut(serializers.Serializer):
    """A request as every operation answers it. Needs the HTTP request in the context (for the
    links)."""

    reference = serializers.CharField()
    state = serializers.ChoiceField(choices=ErasureRequest.State.choices)
    # A field named as the API spells it; it shadows Field.source for the type checker only.
    source = serializers.ChoiceField(choices=ErasureRequest.Source.choices)  # type: ignore[assignment]
    jurisdiction = serializers.CharField()
    external_ref = serializers.CharField()
    received_at = serializers.DateTimeField()
    verified_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    decision = OptionalTextField(help_text="approved or rejected; null until decided.")
    reason_code = OptionalTextField()
    decided_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    subjects_count = serializers.IntegerField(source="subject_count")
    links = serializers.SerializerMethodField()

    @extend_schema_field(RequestLinksOut)
    def get_links(self, erasure_request: ErasureRequest) -> dict[str, str]:
        http_request = self.context["request"]
        reference = erasure_request.reference
        return {
            name: http_request.build_absolute_uri(reverse(url_name, args=[reference]))
            for name, url_name in (
                ("self", "api:request"),
                ("approve", "api:request_approve"),
                ("reject", "api:request_reject"),
            )
        }


class RequestWarningOut(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["previously_erased", "in_open_request"],
        help_text="previously_erased: Heap erased some subjects for an earlier request; "
        "in_open_request: an open request of the same Heap account already names some.",
    )
    subjects = serializers.IntegerField(help_text="How many of the request's subjects.")
    message = serializers.CharField()
    references = serializers.ListField(
        child=serializers.CharField(), help_text="The other open requests (at most 20)."
    )


class RequestCreatedOut(RequestOut):
    """The answer to a create: the request, and what an officer should know before deciding
    it (the CSV import warns of the same, row by row). Needs `warnings` set on the request."""

    warnings = RequestWarningOut(many=True)


class BatchOfRequestOut(serializers.Serializer):
    id = serializers.IntegerField()
    heap_account = serializers.CharField(source="account.label")
    state = serializers.ChoiceField(choices=DeletionBatch.State.choices)
    deletion_request_id = OptionalTextField(help_text="Heap's id, once Heap accepted the batch.")


class RequestDetailOut(RequestOut):
    """Needs `subject_counts` and `batches` too (selectors.request_detail sets them)."""

    subject_counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Subjects of the request by state."
    )
    batches = BatchOfRequestOut(many=True)


# --- batches and audit ----------------------------------------------------------------------


class BatchFilterIn(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=DeletionBatch.State.choices, required=False, help_text="Only batches in this state."
    )
    heap_account = serializers.CharField(
        max_length=64, required=False, help_text="Only batches for the Heap account of this label."
    )


class BatchOut(serializers.Serializer):
    id = serializers.IntegerField()
    heap_account = serializers.CharField(source="account.label")
    size = serializers.IntegerField()
    state = serializers.ChoiceField(choices=DeletionBatch.State.choices)
    deletion_request_id = OptionalTextField()
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class AuditFilterIn(serializers.Serializer):
    request_ref = serializers.CharField(
        max_length=32, required=False, help_text="Only events about this request (DSR-2026-000123)."
    )
    action = serializers.CharField(
        max_length=64, required=False, help_text="Only events of this action (request.approved)."
    )
    from_seq = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        help_text="Start at this sequence number (to resume reading the trail).",
    )


class AuditEventOut(serializers.Serializer):
    """An event exactly as the chain hashes it (docs/audit.md), so a reader can verify it."""

    seq = serializers.IntegerField()
    at = serializers.CharField(help_text="UTC, ISO 8601 with microseconds, exactly as hashed.")
    actor_kind = serializers.CharField()
    actor_id = serializers.CharField()
    actor_label = serializers.CharField()
    action = serializers.CharField()
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    request_ref = serializers.CharField()
    details = serializers.DictField()
    prev_hash = serializers.CharField()
    hash = serializers.CharField()

    def to_representation(self, instance: AuditEvent) -> dict[str, Any]:
        return instance.to_chain_dict()


# --- problem details (documentation only: errors.py writes them) ----------------------------


class FieldErrorOut(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="Like subjects[3].value.")
    detail = serializers.CharField()


@extend_schema_serializer(component_name="Problem")
class ProblemOut(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    # As above: a field named as the API spells it, shadowing Serializer.errors for mypy only.
    errors = FieldErrorOut(many=True, required=False, help_text="For invalid-input only.")  # type: ignore[assignment]
    required_scope = serializers.CharField(required=False, help_text="For missing-scope only.")
