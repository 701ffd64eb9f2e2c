"""Forms of the report screens and downloads: each validates its own query string."""

from typing import Any

from django import forms
from django.core.validators import RegexValidator

from heapprivacy.reports.filters import AuditFilters, Period

DAY = forms.DateInput(attrs={"type": "date"})


class PeriodForm(forms.Form):
    """Whole UTC days, both included."""

    since = forms.DateField(required=False, label="Received from", widget=DAY)
    until = forms.DateField(required=False, label="Received until", widget=DAY)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("The period ends before it starts.")
        return data

    def period(self) -> Period:
        return Period(self.cleaned_data.get("since"), self.cleaned_data.get("until"))


class AuditFilterForm(PeriodForm):
    request = forms.CharField(required=False, max_length=32, label="Request reference")
    actor = forms.CharField(required=False, max_length=150, label="Actor (username or name)")
    action = forms.CharField(
        required=False,
        max_length=64,
        label="Action (or its prefix)",
        widget=forms.TextInput(attrs={"list": "audit-actions"}),
        validators=[RegexValidator(r"^[a-z0-9_.]+$", "Dotted lowercase, like request.approved.")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["since"].label, self.fields["until"].label = "From", "Until"

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            period=self.period(),
            request_ref=data["request"].strip().upper(),
            actor=data["actor"].strip(),
            action=data["action"].strip(),
        )


class AuditPageForm(AuditFilterForm):
    """The browser's filters plus where the page starts: the events older than seq `before`
    (keyset paging: no page counts the table or skips rows with OFFSET)."""

    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    each = forms.BooleanField(required=False, label="Every event on its own line")


FORMAT_CHOICES = [("pdf", "PDF"), ("json", "JSON")]


class CertificateForm(forms.Form):
    reference = forms.CharField(max_length=32, label="Request reference")
    format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="pdf")

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip().upper()
