"""Fields that public forms share, so names and addresses are asked for and cleaned one way."""

from django import forms


def name_field(label: str = "Full name") -> forms.CharField:
    return forms.CharField(
        label=label, max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )


def email_field(help_text: str) -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        max_length=254,
        help_text=help_text,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class PersonFormMixin:
    """For forms with a ``name`` field: collapse the spaces people type by accident."""

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())
