from django import forms
from django.utils.timezone import localtime

from iot_network.equality.forms import EqualityQuestionsMixin
from iot_network.web.forms import NamedErrorsMixin, PersonFormMixin, email_field, name_field

from .models import Session
from .services import RegistrationDetails


class RegistrationForm(NamedErrorsMixin, PersonFormMixin, EqualityQuestionsMixin, forms.Form):
    name = name_field()
    email = email_field("We send your confirmation and any changes here.")
    organisation = forms.CharField(
        label="Organisation (optional)",
        max_length=200,
        required=False,
        help_text="If you are coming for an employer, college or university.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    accessibility_needs = forms.CharField(
        label="Access needs (optional)",
        max_length=1000,
        required=False,
        help_text="Tell us anything that would help you take part, for example step-free access, "
        "a hearing loop or live captions.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    dietary_needs = forms.CharField(
        label="Dietary needs (optional)", max_length=300, required=False
    )
    sessions = forms.ModelMultipleChoiceField(
        label="Sessions you would like to join",
        queryset=Session.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(
        label="I agree that the organiser may use these details to run this event",
        error_messages={"required": "You must agree, so the organiser can give you a place."},
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        choosable = event.sessions.filter(kind__in=Session.CHOOSABLE)
        self.fields["sessions"].queryset = choosable
        self.fields["sessions"].label_from_instance = lambda s: (
            f"{s.title} ({localtime(s.starts_at):%H:%M}–{localtime(s.ends_at):%H:%M})"
        )
        # An event read for registering already says (services.event_for_registration).
        has_sessions = getattr(event, "has_sessions_to_choose", None)
        if not (choosable.exists() if has_sessions is None else has_sessions):
            del self.fields["sessions"]

    def details(self) -> RegistrationDetails:
        data = self.cleaned_data
        return RegistrationDetails(
            name=data["name"],
            email=data.get("email", ""),
            organisation=data.get("organisation", ""),
            accessibility_needs=data.get("accessibility_needs", ""),
            dietary_needs=data.get("dietary_needs", ""),
            session_ids=tuple(s.pk for s in data.get("sessions") or ()),
        )


class ChangeRegistrationForm(RegistrationForm):
    """The same questions, without the email address (it identifies the registration)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["email"]
        del self.fields["consent"]
        self.drop_equality_questions()


class FeedbackForm(NamedErrorsMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label="Overall, how was the event?",
        choices=[(5, "Excellent"), (4, "Good"), (3, "All right"), (2, "Poor"), (1, "Very poor")],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the event was."},
    )
    useful = forms.TypedChoiceField(
        label="Would you recommend events like this to others?",
        choices=[(True, "Yes"), (False, "No")],
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you would recommend events like this."},
    )
    comments = forms.CharField(
        label="What could we do better? (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
