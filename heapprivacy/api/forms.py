"""The console form for a new API client."""

from django import forms

from heapprivacy.api.models import Scope


class ApiClientForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="The system that will call the API, e.g. crm-sync."
    )
    scopes = forms.MultipleChoiceField(
        choices=[(scope.value, f"{scope.value}: {scope.label}") for scope in Scope],
        widget=forms.CheckboxSelectMultiple,
        help_text="Grant only what the system needs.",
    )
