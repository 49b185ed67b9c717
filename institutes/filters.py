import django_filters

from iot_network.web.forms import NamedErrorsForm

from .models import Institute, Region


class InstituteFilter(django_filters.FilterSet):
    region = django_filters.ChoiceFilter(
        choices=Region.choices, empty_label="All regions", label="Region"
    )

    class Meta:
        model = Institute
        form = NamedErrorsForm
        fields = ["region"]
