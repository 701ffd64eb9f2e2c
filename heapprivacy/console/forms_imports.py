"""The form of the CSV upload: the file, the Heap account, and approval for those who may."""

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from heapprivacy.erasure.models import HeapAccount
from heapprivacy.intake.uploads import MAX_UPLOAD_BYTES

# First bytes of files people pick by mistake, with what to do instead.
NOT_CSV = {
    b"PK\x03\x04": "This is a spreadsheet workbook (or a zip file): save it as CSV UTF-8 first.",
    b"\xd0\xcf\x11\xe0": "This is an old Excel workbook: save it as CSV UTF-8 first.",
    b"%PDF": "This is a PDF, not a CSV file.",
}


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8, comma or semicolon separated, up to {MAX_UPLOAD_BYTES // 2**20} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    account = forms.ModelChoiceField(queryset=HeapAccount.objects.none(), label="Heap account")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accounts = HeapAccount.objects.filter(is_active=True).order_by("label")
        field = cast(forms.ModelChoiceField, self.fields["account"])
        field.queryset = accounts
        only = list(accounts[:2])
        if len(only) == 1:  # the one account there is: nothing to choose
            field.initial = only[0].pk

    def clean_file(self) -> UploadedFile:
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD_BYTES:
            raise ValidationError(f"The file is over {MAX_UPLOAD_BYTES // 2**20} MB.")
        head = file.read(4)
        file.seek(0)
        for magic, message in NOT_CSV.items():
            if head.startswith(magic):
                raise ValidationError(message)
        return file
