"""Forms of the users page: inviting a staff user and changing one."""

from django import forms

from heapprivacy.accounts.roles import Role

ROLE_CHOICES = [(str(role), str(role)) for role in Role]


class RolesField(forms.TypedMultipleChoiceField):
    def __init__(self) -> None:
        super().__init__(
            choices=ROLE_CHOICES,
            coerce=Role,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Give the user at least one role."},
        )


class StaffInviteForm(forms.Form):
    username = forms.RegexField(
        r"^[\w.@+-]+$",
        max_length=150,
        error_messages={"invalid": "Letters, digits and @ . + - _ only."},
    )
    email = forms.EmailField(help_text="The link to choose a password goes here.")
    roles = RolesField()


class StaffChangeForm(forms.Form):
    roles = RolesField()
    is_active = forms.BooleanField(
        required=False, label="May sign in", help_text="Untick to deactivate the account."
    )
