from django import forms


class EnquiryForm(forms.Form):
    name = forms.CharField(
        label="Your name", max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will only use this to reply to you.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label="Phone number (optional)",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    message = forms.CharField(
        label="Your question",
        max_length=2000,
        help_text="For example, ask about entry requirements, funding or visiting. "
        "Up to 2,000 characters.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    consent = forms.BooleanField(
        label="I agree that the Institute of Technology may contact me about this course",
        error_messages={
            "required": "You must agree to be contacted, so the institute can reply to you."
        },
    )

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())
