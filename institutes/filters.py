import django_filters

from iot_network.web.filtersets import LeanFilterSet
from iot_network.web.forms import NamedErrorsForm

from .models import Institute, Region


class InstituteFilter(LeanFilterSet):
    region = django_filters.ChoiceFilter(
        choices=Region.choices, empty_label="All regions", label="Region"
    )

    class Meta:
        model = Institute
        form = NamedErrorsForm
        fields = ["region"]
