from __future__ import annotations

import math

from django import forms
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    URLValidator,
)
from django.db import models
from django.utils import timezone

from institutes.models import Institute, Route
from iot_network.web.forms import NamedErrorsMixin, email_field, name_field
from iot_network.web.geocoding import GeocodingError, PostcodeServiceUnavailable, lookup_postcode
from iot_network.web.identifiers import normalise_companies_house_number, normalise_postcode

from .models import Interest, Invitation, Opportunity, Organisation, OrganisationMember, SkillsNeed

DUPLICATE_MESSAGE = (
    "An organisation with this {what} has already applied or is already a partner. Ask the "
    "colleague who manages your partnership to invite you from their partner area, or contact us."
)


def nearest_institute(latitude: float, longitude: float) -> Institute | None:
    def distance(institute: Institute) -> float:
        # Equirectangular approximation: plenty to rank 21 places in England.
        x = math.radians(float(institute.longitude) - longitude) * math.cos(
            math.radians((float(institute.latitude) + latitude) / 2)
        )
        y = math.radians(float(institute.latitude) - latitude)
        return x * x + y * y

    return min(Institute.objects.all(), key=distance, default=None)


WEB_ADDRESS = URLValidator(
    schemes=["http", "https"],
    message="Enter the full website address, like https://www.example.com.",
)


def formfield(db_field, **kwargs):
    """Addresses typed without a scheme are https:// (Django 6's default, chosen now)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
        kwargs["validators"] = [WEB_ADDRESS]
        kwargs["error_messages"] = {"invalid": WEB_ADDRESS.message}
    return db_field.formfield(**kwargs)


def limit_length(field: forms.CharField, limit: int) -> None:
    """Cap a free-text field (model TextFields have no length limit of their own)."""
    field.max_length = limit
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)


def set_required_messages(form: forms.BaseForm, messages: dict[str, str]) -> None:
    """Say what is missing, not "This field is required"."""
    for name, message in messages.items():
        form.fields[name].error_messages["required"] = message


def limit_range(field: forms.Field, low, high) -> None:
    field.validators += [MinValueValidator(low), MaxValueValidator(high)]
    field.widget.attrs.update(min=low, max=high)


def loosen_length(field: forms.CharField, limit: int) -> None:
    """Let people type spaces in codes (we remove them); the model checks the cleaned value."""
    field.max_length = limit
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)


class PostcodeCleanMixin:
    postcode_message = "Enter the full UK postcode of where it takes place, like SW1A 1AA."

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "postcode" in self.fields:
            loosen_length(self.fields["postcode"], 16)

    def clean_postcode(self):
        raw = self.cleaned_data.get("postcode", "")
        if not raw.strip():
            return ""
        postcode = normalise_postcode(raw)
        if postcode is None:
            raise forms.ValidationError(self.postcode_message)
        return postcode


class OrganisationFieldsMixin(PostcodeCleanMixin):
    postcode_message = "Enter your organisation's full UK postcode, like SW1A 1AA."

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_contact_name(self):
        return " ".join(self.cleaned_data.get("contact_name", "").split())


REQUIRED_MESSAGES = {
    "name": "Enter your organisation's name.",
    "org_type": "Choose the type of organisation.",
    "sector": "Choose your main sector.",
    "size": "Choose the size of your organisation.",
    "postcode": "Enter your organisation's postcode.",
    "contact_name": "Enter your full name.",
}


class ApplicationForm(NamedErrorsMixin, OrganisationFieldsMixin, forms.ModelForm):
    CHOOSE, NEAREST = "choose", "nearest"
    error_nouns = {
        "org_type": "the type of organisation",
        "sector": "your main sector",
        "size": "the size of your organisation",
        "institutes": "Institutes of Technology",
        "institute_choice": "how to choose an Institute of Technology",
        "interests": "ways you would like to work with us",
    }

    institute_choice = forms.ChoiceField(
        label="Which Institute of Technology do you want to work with?",
        choices=[(CHOOSE, "I will choose"), (NEAREST, "The one nearest to my postcode")],
        initial=CHOOSE,
        widget=forms.RadioSelect,
    )
    institutes = forms.ModelMultipleChoiceField(
        queryset=Institute.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Institutes of Technology",
        help_text="Choose one or more.",
    )
    interests = forms.ModelMultipleChoiceField(
        queryset=Interest.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label="How would you like to work with us?",
        error_messages={"required": "Choose at least one way you would like to work with us."},
    )
    contact_name = name_field("Your full name")
    job_title = forms.CharField(
        label="Your job title",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    consent = forms.BooleanField(
        label="I agree that the Institutes of Technology I chose may store these details and "
        "contact me about this partnership.",
        error_messages={"required": "You need to agree so that we can consider your application."},
    )

    class Meta:
        model = Organisation
        formfield_callback = formfield
        fields = [
            "name",
            "org_type",
            "companies_house_number",
            "ukprn",
            "sector",
            "size",
            "address",
            "postcode",
            "website",
            "summary",
            "contact_phone",
            "listed_in_directory",
        ]
        labels = {
            "name": "Organisation name",
            "org_type": "Type of organisation",
            "companies_house_number": "Companies House number (optional)",
            "ukprn": "UKPRN (colleges, universities and training providers)",
            "sector": "Main sector",
            "size": "Size",
            "summary": "About your organisation",
            "contact_phone": "Your phone number (optional)",
            "website": "Website (optional)",
            "listed_in_directory": "List us in the public partner directory once approved",
        }
        help_texts = {
            "companies_house_number": "8 characters, like 01234567 or SC123456. Leave it blank "
            "if your organisation is not a registered company.",
            "ukprn": "8 digits starting with 1, from the UK Register of Learning Providers.",
            "summary": "A few sentences learners and other partners will read if you are listed.",
            "postcode": "We use it to find the Institute of Technology nearest to you.",
        }
        widgets = {
            "org_type": forms.RadioSelect,
            "size": forms.RadioSelect,
            "address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "website": forms.URLInput(attrs={"autocomplete": "url"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Route.objects.order_by("name")
        self.fields["sector"].empty_label = "Choose a sector"
        self.fields["size"].required = True
        self.fields["size"].choices = Organisation.Size.choices
        self.fields["org_type"].choices = Organisation.Type.choices
        self.fields["postcode"].required = True
        for name in ("companies_house_number", "ukprn"):
            loosen_length(self.fields[name], 16)
        self.fields[
            "listed_in_directory"
        ].help_text = "Your name, sector, summary and website will be shown on our partners page."
        self.fields["address"].label = "Address (optional)"
        self.fields["summary"].label = "About your organisation (optional)"
        set_required_messages(self, REQUIRED_MESSAGES)
        limit_length(self.fields["address"], 500)
        limit_length(self.fields["summary"], 2000)

    def clean_companies_house_number(self):
        number = normalise_companies_house_number(self.cleaned_data.get("companies_house_number"))
        if number and Organisation.objects.filter(companies_house_number=number).exists():
            raise forms.ValidationError(
                DUPLICATE_MESSAGE.format(what="Companies House number"), code="duplicate"
            )
        return number

    def clean_ukprn(self):
        ukprn = "".join(self.cleaned_data.get("ukprn", "").split())
        if ukprn and Organisation.objects.filter(ukprn=ukprn).exists():
            raise forms.ValidationError(DUPLICATE_MESSAGE.format(what="UKPRN"), code="duplicate")
        return ukprn

    def _post_clean(self):
        # Normalised values are checked by the model's validators again here.
        for field in ("companies_house_number", "ukprn"):
            if field in self.cleaned_data:
                setattr(self.instance, field, self.cleaned_data[field])
        super()._post_clean()

    def clean(self):
        cleaned = super().clean()
        org_type = cleaned.get("org_type")
        needs_ukprn = org_type in Organisation.PROVIDER_TYPES
        if needs_ukprn and not cleaned.get("ukprn") and "ukprn" not in self.errors:
            self.add_error(
                "ukprn",
                "Enter your UKPRN: colleges, universities and training providers have one.",
            )
        choice = cleaned.get("institute_choice")
        if choice == self.NEAREST:
            postcode = cleaned.get("postcode")
            if postcode:
                try:
                    point = lookup_postcode(postcode)
                except PostcodeServiceUnavailable:
                    self.add_error(
                        "institute_choice",
                        "We cannot find the nearest Institute of Technology right now. Choose "
                        "one or more from the list instead.",
                    )
                except GeocodingError:
                    self.add_error(
                        "postcode",
                        f"We could not find the postcode {postcode}, so we cannot tell which "
                        "Institute of Technology is nearest. Check your organisation's postcode, "
                        "or choose Institutes of Technology from the list.",
                    )
                else:
                    nearest = nearest_institute(point.latitude, point.longitude)
                    cleaned["institutes"] = [nearest] if nearest else []
        elif choice == self.CHOOSE and not cleaned.get("institutes"):
            self.add_error(
                "institutes",
                "Choose at least one Institute of Technology, or choose the nearest one.",
            )
        return cleaned


class ProfileForm(NamedErrorsMixin, OrganisationFieldsMixin, forms.ModelForm):
    interests = forms.ModelMultipleChoiceField(
        queryset=Interest.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label="How you work with us",
        error_messages={"required": "Choose at least one way you work with us."},
    )

    class Meta:
        model = Organisation
        formfield_callback = formfield
        fields = [
            "name",
            "sector",
            "size",
            "address",
            "postcode",
            "website",
            "summary",
            "interests",
            "contact_name",
            "contact_phone",
            "listed_in_directory",
        ]
        labels = {
            "name": "Organisation name",
            "sector": "Main sector",
            "summary": "About your organisation",
            "contact_name": "Main contact's name",
            "contact_phone": "Main contact's phone number",
            "listed_in_directory": "List us in the public partner directory",
        }
        widgets = {
            "size": forms.RadioSelect,
            "address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "contact_phone": forms.TextInput(attrs={"type": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].empty_label = "Choose a sector"
        self.fields["size"].choices = Organisation.Size.choices
        set_required_messages(
            self,
            {"name": "Enter your organisation's name.", "sector": "Choose your main sector."},
        )
        self.fields[
            "listed_in_directory"
        ].help_text = "Your name, sector, summary and website are shown on our partners page."
        limit_length(self.fields["summary"], 2000)
        limit_length(self.fields["address"], 500)


class InvitationForm(NamedErrorsMixin, forms.Form):
    email = email_field("We will email them a link to join. It works for 14 days.")
    role = forms.ChoiceField(
        label="Role",
        choices=OrganisationMember.Role.choices,
        initial=OrganisationMember.Role.MEMBER,
        widget=forms.RadioSelect,
        help_text="Owners can also invite and remove colleagues.",
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if self.organisation.members.filter(user__email__iexact=email).exists():
            raise forms.ValidationError(f"{email} is already a member.")
        if (
            Invitation.objects.open()
            .filter(organisation=self.organisation, email__iexact=email)
            .exists()
        ):
            raise forms.ValidationError(f"{email} has already been invited.")
        return email


class InstituteChoiceMixin:
    def limit_institutes(self, organisation: Organisation) -> None:
        institutes = organisation.institutes.order_by("name")
        field = self.fields["institute"]
        field.queryset = institutes
        field.empty_label = None
        if len(institutes) == 1:
            field.initial = institutes[0].pk


class OpportunityForm(NamedErrorsMixin, InstituteChoiceMixin, PostcodeCleanMixin, forms.ModelForm):
    class Meta:
        model = Opportunity
        formfield_callback = formfield
        fields = [
            "kind",
            "institute",
            "title",
            "description",
            "course",
            "standard_reference",
            "location",
            "postcode",
            "wage_amount",
            "wage_unit",
            "hours_per_week",
            "positions",
            "start_date",
            "closing_date",
            "how_to_apply",
            "apply_url",
        ]
        labels = {
            "kind": "What are you offering?",
            "institute": "Institute of Technology",
            "wage_amount": "Wage in pounds (optional for talks and project briefs)",
            "wage_unit": "Wage period (if you give a wage)",
            "hours_per_week": "Hours a week",
            "positions": "Number of places",
            "start_date": "Start date (optional)",
            "apply_url": "Web address to apply (optional)",
        }
        widgets = {
            "kind": forms.RadioSelect,
            "wage_unit": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 6}),
            "how_to_apply": forms.Textarea(attrs={"rows": 3}),
            "closing_date": forms.DateInput(attrs={"type": "date"}),
            "start_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.limit_institutes(organisation)
        self.fields["course"].queryset = (
            self.fields["course"]
            .queryset.published()
            .filter(institute__in=organisation.institutes.all())
            .select_related("institute")
            .only("title", "provider_name", "institute__name")
            .order_by("title", "institute__name")
        )
        # The same title is taught in many places: say which one.
        self.fields["course"].label_from_instance = lambda course: (
            f"{course.title} – {course.provider_name}, {course.institute.name}"
        )
        self.fields["course"].empty_label = "Not linked to a course"
        self.fields["kind"].choices = Opportunity.Kind.choices
        # Radios with no blank "---------" choice: nothing is chosen until someone chooses.
        self.fields["wage_unit"].choices = [
            (unit.value, f"Per {unit.value}") for unit in Opportunity.WageUnit
        ]
        set_required_messages(
            self,
            {
                "kind": "Choose what you are offering.",
                "institute": "Choose an Institute of Technology.",
                "title": "Enter a title.",
                "description": "Enter a description.",
                "location": "Enter the location, like a town or site.",
                "positions": "Enter the number of places.",
                "closing_date": "Enter a closing date.",
                "how_to_apply": "Say how to apply.",
            },
        )
        limit_length(self.fields["description"], 5000)
        limit_length(self.fields["how_to_apply"], 2000)
        limit_range(self.fields["positions"], 1, 500)
        limit_range(self.fields["wage_amount"], 0, 1_000_000)
        limit_range(self.fields["hours_per_week"], 1, 60)

    def clean_standard_reference(self):
        return self.cleaned_data.get("standard_reference", "").strip().upper()

    def clean_closing_date(self):
        closing = self.cleaned_data["closing_date"]
        if closing < timezone.localdate():
            raise forms.ValidationError("The closing date must be today or in the future.")
        return closing

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Opportunity.Kind.APPRENTICESHIP:
            if cleaned.get("wage_amount") is None and "wage_amount" not in self.errors:
                self.add_error("wage_amount", "Enter the wage: apprentices are paid employees.")
            if not cleaned.get("hours_per_week") and "hours_per_week" not in self.errors:
                self.add_error("hours_per_week", "Enter the hours a week.")
        if cleaned.get("wage_amount") is not None and not cleaned.get("wage_unit"):
            self.add_error("wage_unit", "Choose whether the wage is per hour, week or year.")
        start, closing = cleaned.get("start_date"), cleaned.get("closing_date")
        if start and closing and start < closing:
            self.add_error("start_date", "The start date must be on or after the closing date.")
        return cleaned


class SkillsNeedForm(NamedErrorsMixin, InstituteChoiceMixin, forms.ModelForm):
    class Meta:
        model = SkillsNeed
        fields = ["institute", "route", "skills", "people_needed", "needed_by", "details"]
        labels = {
            "institute": "Institute of Technology",
            "people_needed": "How many people?",
            "needed_by": "When do you need them by?",
            "details": "Anything else we should know (optional)",
        }
        widgets = {
            "needed_by": forms.DateInput(attrs={"type": "date"}),
            "details": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.limit_institutes(organisation)
        self.fields["route"].empty_label = "Any or not sure"
        set_required_messages(
            self,
            {
                "institute": "Choose an Institute of Technology.",
                "skills": "Enter the skills you need.",
                "people_needed": "Enter how many people you need.",
                "needed_by": "Enter the date you need them by.",
            },
        )
        limit_range(self.fields["people_needed"], 1, 10_000)
        limit_length(self.fields["details"], 2000)

    def clean_needed_by(self):
        needed_by = self.cleaned_data["needed_by"]
        if needed_by <= timezone.localdate():
            raise forms.ValidationError("The date must be in the future.")
        return needed_by


class DecisionForm(NamedErrorsMixin, forms.Form):
    """Staff's approve or decline, with a reason (required to decline)."""

    reason = forms.CharField(
        label="Reason or note for the applicant",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you decline. The applicant sees it in the email we send.",
    )
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "decline" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Give a reason when you decline.")
        return cleaned


class CloseOpportunityForm(NamedErrorsMixin, forms.Form):
    """Closing an opportunity, with how many of its places were filled (optional: the person
    may not know yet, and the evaluation report then says "not recorded")."""

    positions_filled = forms.IntegerField(required=False)

    def __init__(self, *args, opportunity: Opportunity, **kwargs):
        super().__init__(*args, **kwargs)
        places = opportunity.positions
        field = self.fields["positions_filled"]
        field.label = f"How many places were filled, out of {places}?"
        field.help_text = (
            "Optional. Leave it empty if you do not know yet. The Institute of Technology "
            "uses it to report what its partnerships achieve; learners never see it."
        )
        field.initial = opportunity.positions_filled
        field.error_messages["invalid"] = (
            "Enter the number of places filled as a whole number, like 2."
        )
        field.error_messages["min_value"] = "The number of places filled cannot be less than 0."
        field.error_messages["max_value"] = (
            f"It offered {places} place{'s' if places != 1 else ''}, so no more than {places} "
            "can have been filled."
        )
        field.validators += [MinValueValidator(0), MaxValueValidator(places)]
        field.widget.attrs.update(min=0, max=places, inputmode="numeric")
