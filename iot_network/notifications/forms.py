from django import forms

from iot_network.web.forms import NamedErrorsMixin

from .models import OPTIONAL_CATEGORIES, Category


class PreferencesForm(NamedErrorsMixin, forms.Form):
    """One tick box per optional kind of mail."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category in OPTIONAL_CATEGORIES:
            self.fields[category.value] = forms.BooleanField(
                label=Category(category).label, required=False
            )
