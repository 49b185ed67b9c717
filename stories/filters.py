import django_filters

from institutes.models import Institute, Route
from iot_network.web.filtersets import LeanFilterSet
from iot_network.web.forms import NamedErrorsForm
from partners.models import Organisation

from .models import Story


class StoryFilter(LeanFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=Story.Kind.choices, empty_label="All kinds", label="Kind of story"
    )
    institute = django_filters.ModelChoiceFilter(
        field_name="institutes",
        queryset=Institute.objects.only("name", "slug"),
        to_field_name="slug",
        empty_label="All institutes",
        label="Institute",
        method="tagged",
    )
    route = django_filters.ModelChoiceFilter(
        field_name="routes",
        queryset=Route.objects.all(),
        to_field_name="slug",
        empty_label="All subjects",
        label="Subject",
        method="tagged",
    )
    partner = django_filters.ModelChoiceFilter(
        field_name="organisations",
        queryset=Organisation.objects.in_directory().only("name", "slug").order_by("name"),
        to_field_name="slug",
        empty_label="All partners",
        label="Partner",
        method="tagged",
    )

    class Meta:
        model = Story
        form = NamedErrorsForm  # "Choose kind of story from the list.", as the other lists say
        fields = ["kind", "institute", "route", "partner"]

    def tagged(self, queryset, name, value):
        # A semi-join keeps each story once and the count exact, without DISTINCT.
        return queryset.filter(pk__in=Story.objects.filter(**{name: value}).values("pk"))
