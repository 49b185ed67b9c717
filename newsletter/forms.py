from django import forms
from django.utils import timezone

from events.models import Event
from institutes.models import Institute, Route
from iot_network.web.forms import NamedErrorsMixin, email_field


class SubscribeForm(NamedErrorsMixin, forms.Form):
    email = email_field("We send a link to this address; you are subscribed once you follow it.")
    institutes = forms.ModelMultipleChoiceField(
        queryset=Institute.objects.only("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Institutes of Technology you are interested in (optional)",
        help_text="Leave all empty to hear from the whole network.",
    )
    routes = forms.ModelMultipleChoiceField(
        queryset=Route.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Subjects you are interested in (optional)",
    )
    event_types = forms.MultipleChoiceField(
        choices=Event.Type.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Kinds of event you are interested in (optional)",
        help_text="Each issue lists events of these kinds first, under their own heading, and "
        "then its other events. They do not change which issues you get: the Institutes of "
        "Technology and subjects above do.",
    )


class NewLinkForm(NamedErrorsMixin, forms.Form):
    email = email_field("The address you subscribed with. We send a new link to it.")


class ScheduleForm(forms.Form):
    send_at = forms.SplitDateTimeField(
        label="Send at",
        # The label names the date box; each part gets its own name, as the admin's do.
        widget=forms.SplitDateTimeWidget(
            date_attrs={"type": "date", "aria-label": "Send at: date"},
            time_attrs={"type": "time", "aria-label": "Send at: time"},
        ),
    )

    def clean_send_at(self):
        send_at = self.cleaned_data["send_at"]
        if send_at <= timezone.now():
            raise forms.ValidationError("Choose a time in the future, or send it now.")
        return send_at
