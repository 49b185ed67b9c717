from django import forms

from iot_network.equality.forms import EqualityQuestionsMixin
from iot_network.web.forms import NamedErrorsMixin, PersonFormMixin, email_field, name_field


class EnquiryForm(NamedErrorsMixin, PersonFormMixin, EqualityQuestionsMixin, forms.Form):
    error_nouns = {"message": "your question"}

    name = name_field("Your name")
    email = email_field("We will only use this to reply to you.")
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
