"""Forms of the console: each validates one screen's input and nothing else."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet

from heapprivacy.erasure.lifecycle.requests import REASONS_NEEDING_A_NOTE, REJECTION_REASONS
from heapprivacy.erasure.models import ErasureRequest, HeapAccount

ORDERINGS = {
    "-received_at": "Newest first",
    "received_at": "Oldest first",
    "due_at": "Due soonest",
    "reference": "Reference",
}


def jurisdiction_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in settings.JURISDICTIONS]


def filter_accounts(chosen: object) -> QuerySet[HeapAccount]:
    """The Heap accounts a list filter offers: the active ones, and the one the filter already
    names if it was deactivated since (a saved link still shows what it showed)."""
    kept = Q(pk=int(chosen)) if isinstance(chosen, str) and chosen.isdecimal() else Q()
    return HeapAccount.objects.filter(Q(is_active=True) | kept).order_by("label")


class RequestFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=255, label="Search")
    state = forms.ChoiceField(required=False, choices=[("", "Any state")])
    jurisdiction = forms.ChoiceField(required=False, choices=[("", "Any jurisdiction")])
    source = forms.ChoiceField(required=False, choices=[("", "Any source")])
    account = forms.ModelChoiceField(
        required=False, queryset=HeapAccount.objects.none(), empty_label="Any account"
    )
    due = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any due date"),
            ("7d", "Due in 7 days"),
            ("overdue", "Overdue"),
            ("at_risk", "At risk (near latest safe submit)"),
            ("ack_overdue", "Acknowledgement overdue"),
        ],
    )
    order = forms.ChoiceField(required=False, choices=list(ORDERINGS.items()))
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("state", ErasureRequest.State.choices),
            ("jurisdiction", jurisdiction_choices()),
            ("source", ErasureRequest.Source.choices),
        ):
            field = cast(forms.ChoiceField, self.fields[name])
            field.choices = [*cast(list, field.choices), *choices]
        account = cast(forms.ModelChoiceField, self.fields["account"])
        account.queryset = filter_accounts(self.data.get("account"))


class VerifyForm(forms.Form):
    method = forms.ChoiceField(
        choices=[
            ("email_link", "Email link"),
            ("account_login", "Signed in to their account"),
            ("document", "Identity document"),
            ("other", "Other"),
        ]
    )
    note = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApproveForm(forms.Form):
    """The override is asked for only when nobody has verified the requester's identity."""

    verification_override = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why approve without verifying the requester's identity?",
    )


class RejectForm(forms.Form):
    reason_code = forms.ChoiceField(choices=REJECTION_REASONS, label="Reason")
    note = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note (required for “Other”: the subject's email gives it as the reason)",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason_code") in REASONS_NEEDING_A_NOTE and not data.get("note", "").strip():
            self.add_error("note", "Say why: the subject reads this note.")
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), label="Reason for cancelling"
    )


class NoteForm(forms.Form):
    text = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label="Note")


class ExtendForm(forms.Form):
    reason = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reasons for the extension (sent to the subject)",
    )


class ClockForm(forms.Form):
    """UK GDPR's clock: restart it when identity information or a fee arrives, pause, resume."""

    action = forms.ChoiceField(
        choices=[("restart", "Clock starts now"), ("pause", "Pause"), ("resume", "Resume")]
    )


class BulkActionForm(forms.Form):
    """One decision for the requests ticked on the list; the references come as `reference`."""

    action = forms.ChoiceField(
        choices=[
            ("approve", "Approve (verified requests only)"),
            ("reject", "Reject"),
            ("cancel", "Cancel"),
        ]
    )
    reason_code = forms.ChoiceField(
        required=False, choices=[("", "—"), *REJECTION_REASONS], label="Rejection reason"
    )
    note = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Rejection note (required for \u201cOther\u201d: the subjects' emails give it)",
    )
    reason = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for cancelling",
    )
    back = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "reject" and not data.get("reason_code"):
            self.add_error("reason_code", "Choose the reason for the rejection.")
        needs_note = data.get("reason_code") in REASONS_NEEDING_A_NOTE
        if action == "reject" and needs_note and not data.get("note", "").strip():
            self.add_error("note", "Say why: the subjects read this note.")
        if action == "cancel" and not data.get("reason", "").strip():
            self.add_error("reason", "Give the reason for cancelling.")
        if not data.get("back", "").startswith("?"):
            data["back"] = ""
        return data
