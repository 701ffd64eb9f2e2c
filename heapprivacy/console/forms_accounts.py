"""Forms of the Heap account screens. The api_key is write-only: never rendered back, not even
after a failed submission."""

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError

from heapprivacy.erasure.models import HeapAccount

KEY_HELP_EDIT = "Leave blank to keep the current key."


def api_key_widget() -> forms.PasswordInput:
    # new-password: a browser must not fill in the administrator's own saved login password.
    return forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})


class HeapAccountForm(forms.Form):
    """Adding an account. The same rules as the Heap client's, so a saved account can be used."""

    label = forms.SlugField(max_length=64)
    app_id = forms.RegexField(
        r"^\d+$",
        max_length=32,
        label="App id (Main Production)",
        error_messages={"invalid": "The app_id is a string of digits."},
    )
    api_key = forms.CharField(max_length=512, label="API key", widget=api_key_widget())
    region = forms.ChoiceField(choices=HeapAccount.Region.choices)
    deletion_base_url = forms.URLField(
        required=False, max_length=200, assume_scheme="https", help_text="Blank: Heap's default."
    )
    ingestion_base_url = forms.URLField(
        required=False, max_length=200, assume_scheme="https", help_text="Blank: Heap's default."
    )

    def clean_api_key(self) -> str:
        api_key = self.cleaned_data["api_key"]
        # Never echo the value in a message: it is the secret.
        if api_key and (not api_key.isascii() or not api_key.isprintable() or " " in api_key):
            raise ValidationError("The API key is printable ASCII without spaces.")
        return api_key

    def clean_deletion_base_url(self) -> str:
        return _base_url(self.cleaned_data["deletion_base_url"])

    def clean_ingestion_base_url(self) -> str:
        return _base_url(self.cleaned_data["ingestion_base_url"])


class HeapAccountEditForm(HeapAccountForm):
    """Changing an account: a blank api_key keeps the current key."""

    is_active = forms.BooleanField(
        required=False, label="Active", help_text="Inactive: queued subjects are not packed."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["api_key"].required = False
        self.fields["api_key"].help_text = KEY_HELP_EDIT
        for name in ("deletion_base_url", "ingestion_base_url"):
            self.fields[name].required = True
            self.fields[name].help_text = ""

    @staticmethod
    def initial_for(account: HeapAccount) -> dict[str, object]:
        """The current values to edit, listed one by one: nothing about the key."""
        return {
            "label": account.label,
            "app_id": account.app_id,
            "region": account.region,
            "deletion_base_url": account.deletion_base_url,
            "ingestion_base_url": account.ingestion_base_url,
            "is_active": account.is_active,
        }


def _base_url(url: str) -> str:
    """The Heap client refuses credentials, a query or a fragment in a base URL."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValidationError("Use an http or https URL.")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValidationError("A base URL carries no credentials, query or fragment.")
    return url


def form_errors_add(form: forms.Form, error: ValidationError) -> None:
    """Show a model's validation errors on the form, on the field they name when it has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
