import django_filters

from institutes.models import Institute, Region

from .models import Event


class EventFilter(django_filters.FilterSet):
    event_type = django_filters.ChoiceFilter(
        choices=Event.Type.choices, empty_label="All types", label="Type of event"
    )
    audience = django_filters.ChoiceFilter(choices=Event.Audience.choices, empty_label="Anyone")
    region = django_filters.ChoiceFilter(
        field_name="institute__region",
        choices=Region.choices,
        empty_label="All regions",
        label="Region",
    )
    institute = django_filters.ModelChoiceFilter(
        queryset=Institute.objects.all(),
        to_field_name="slug",
        empty_label="All organisers",
        label="Institute",
    )

    class Meta:
        model = Event
        fields = ["event_type", "audience", "region", "institute"]
