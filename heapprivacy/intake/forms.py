"""The public erasure form. It validates input only; intake_submit does the rest."""

import re
from typing import Any, cast

from django import forms
from django.conf import settings

from heapprivacy.erasure.lifecycle.subjects import InvalidSubject, SubjectInput, subject_parse
from heapprivacy.erasure.models import Subject
from heapprivacy.intake.jurisdictions import jurisdiction_choices

MAX_IDENTIFIERS = 20
# Browsers send a textarea's line breaks as CRLF. Only line breaks split: any other character,
# spaces and invisible ones included, stays part of the identifier (officers see it flagged).
LINE_BREAK = re.compile(r"\r\n|\r|\n")


class ErasureForm(forms.Form):
    """Email, optional identifiers, jurisdiction, the "about me" statement, and a honeypot.

    With INTAKE_IDENTITY_FROM_EMAIL (the default) the email is the Heap identity to erase and
    the identifiers field is left out; without it, the subject must give their identifiers.
    """

    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="We will send a link to this address to check that it is yours.",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    identifiers = forms.CharField(
        label="Your user names or account numbers with us",
        required=False,
        strip=False,  # kept byte for byte: a leading space is part of an identifier
        help_text=(
            f"One per line, exactly as you use them with us (at most {MAX_IDENTIFIERS}). "
            "We erase the analytics data recorded under each."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
    )
    jurisdiction = forms.ChoiceField(
        label="Where do you live?",
        help_text="This decides which privacy law applies and how long we have to respond.",
        error_messages={"invalid_choice": "Choose where you live from the list."},
    )
    about_me = forms.BooleanField(
        label="This request is about me: the email address and details above are mine.",
        error_messages={"required": "Confirm that this request is about you."},
    )
    # Honeypot: hidden from people (the template wraps it in `hidden`), filled in by bots.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["jurisdiction"]).choices = jurisdiction_choices()
        self.fields["jurisdiction"].initial = settings.DEFAULT_JURISDICTION
        if settings.INTAKE_IDENTITY_FROM_EMAIL:
            del self.fields["identifiers"]
        else:
            self.fields["identifiers"].required = True
            self.fields["identifiers"].error_messages["required"] = (
                "Enter at least one user name or account number."
            )

    def is_bot(self) -> bool:
        """Only a bot fills the honeypot; it gets the usual answer and nothing happens."""
        return bool(self.data.get("website"))

    def clean_identifiers(self) -> list[SubjectInput]:
        lines = [line for line in LINE_BREAK.split(self.cleaned_data["identifiers"]) if line]
        if len(lines) > MAX_IDENTIFIERS:
            raise forms.ValidationError(
                f"Enter at most {MAX_IDENTIFIERS} identifiers (you entered {len(lines)})."
            )
        errors, subjects = [], []
        for number, line in enumerate(lines, start=1):
            try:
                subject = subject_parse(Subject.Kind.IDENTITY, line)
            except InvalidSubject as error:
                # subject_parse says "identity: <rule>"; the rule never repeats the value.
                errors.append(f"Line {number}: {str(error).split(': ', 1)[-1]}.")
            else:
                subjects.append(subject)
        if errors:
            raise forms.ValidationError(errors)
        return list(dict.fromkeys(subjects))  # the same identifier twice is one subject
