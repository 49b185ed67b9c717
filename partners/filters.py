import django_filters

from institutes.models import Institute, Route
from iot_network.web.filtersets import LeanFilterSet
from iot_network.web.forms import NamedErrorsForm
from iot_network.web.listing import ShortModelChoiceFilter

from .models import Interest, Organisation


class OrganisationFilter(LeanFilterSet):
    institute = ShortModelChoiceFilter(
        field_name="institutes",
        queryset=Institute.objects.all(),
        to_field_name="slug",
        empty_label="All institutes",
        label="Institute",
    )
    sector = ShortModelChoiceFilter(
        queryset=Route.objects.all(),
        to_field_name="slug",
        empty_label="All sectors",
        label="Sector",
    )
    org_type = django_filters.ChoiceFilter(
        choices=Organisation.Type.choices, empty_label="All types", label="Type of organisation"
    )

    interest = ShortModelChoiceFilter(
        field_name="interests",
        queryset=Interest.objects.all(),
        to_field_name="slug",
        empty_label="All partnership types",
        label="Partnership type",
    )

    class Meta:
        model = Organisation
        form = NamedErrorsForm
        fields = ["institute", "sector", "org_type", "interest"]
