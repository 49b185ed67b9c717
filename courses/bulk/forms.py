from django import forms

from institutes.models import Institute

from .files import MAX_UPLOAD_BYTES, describe_size


class UploadForm(forms.Form):
    institute = forms.ModelChoiceField(
        queryset=Institute.objects.none(), label="Institute of Technology", empty_label=None
    )
    file = forms.FileField(
        label="Course file",
        help_text="The template filled in, as CSV or Excel (.xlsx), at most "
        f"{describe_size(MAX_UPLOAD_BYTES)}.",
    )
    withdraw_absent = forms.BooleanField(
        label="Withdraw courses and runs that are not in the file",
        required=False,
        help_text="Unpublishes this IoT's courses the file does not list, and removes runs of "
        "listed courses that the file does not list.",
    )

    def __init__(self, *args, institutes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institute"].queryset = institutes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {describe_size(upload.size)}; the largest we accept is "
                f"{describe_size(MAX_UPLOAD_BYTES)}. Split it into smaller files."
            )
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError("Upload a .csv or .xlsx file (the template, filled in).")
        return upload


class DownloadForm(forms.Form):
    institute = forms.ModelChoiceField(queryset=Institute.objects.none(), empty_label=None)
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")])

    def __init__(self, *args, institutes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institute"].queryset = institutes
