import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone

from institutes.models import Institute, Region, Route
from iot_network.web.filtersets import LeanFilterSet
from iot_network.web.forms import NamedErrorsForm, check_date_order
from iot_network.web.listing import ShortModelChoiceFilter

from .models import Event


class EventFilterForm(NamedErrorsForm):
    error_nouns = {"date_from": "the earliest start date", "date_to": "the latest start date"}

    def clean(self):
        data = super().clean()
        check_date_order(self, "date_from", "date_to")
        return data


# "Anyone" (no filter) already covers events for everyone; offering "Everyone" too confused.
AUDIENCE_CHOICES = [
    (value, label) for value, label in Event.Audience.choices if value != Event.Audience.EVERYONE
]


class EventFilter(LeanFilterSet):
    event_type = django_filters.ChoiceFilter(
        choices=Event.Type.choices, empty_label="All types", label="Type of event"
    )
    audience = django_filters.ChoiceFilter(
        choices=AUDIENCE_CHOICES, empty_label="Anyone", label="Who it is for",
        method="filter_audience",
    )  # fmt: skip
    region = django_filters.ChoiceFilter(
        field_name="institute__region", choices=Region.choices, empty_label="All regions",
        label="Region",
    )  # fmt: skip
    institute = ShortModelChoiceFilter(
        queryset=Institute.objects.only("slug", "name"), to_field_name="slug",
        empty_label="All organisers",
        label="Institute",
    )  # fmt: skip
    route = ShortModelChoiceFilter(
        field_name="routes", queryset=Route.objects.all(), to_field_name="slug",
        empty_label="All subjects", label="Subject area",
    )  # fmt: skip
    attendance = django_filters.ChoiceFilter(
        choices=[("in-person", "In person"), ("online", "Online")], empty_label="Either",
        label="Online or in person", method="filter_attendance",
    )  # fmt: skip
    date_from = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label="Starting from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    date_to = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label="Starting by",
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    places_left = django_filters.BooleanFilter(
        label="Only events with places left", method="filter_places_left",
        widget=forms.CheckboxInput,
    )  # fmt: skip

    class Meta:
        model = Event
        form = EventFilterForm
        fields: list[str] = []

    def filter_audience(self, queryset, name, value):
        # An event for everyone suits every audience.
        return queryset.filter(audience__in=[value, Event.Audience.EVERYONE])

    def filter_attendance(self, queryset, name, value):
        return queryset.filter(is_online=value == "online")

    def filter_places_left(self, queryset, name, value):
        if not value:
            return queryset
        now = timezone.now()
        return queryset.filter(
            Q(capacity__isnull=True) | Q(capacity__gt=F("places_taken")),
            status=Event.Status.PUBLISHED,
        ).exclude(registration_closes_at__lt=now)
