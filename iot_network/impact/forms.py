from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from institutes.models import Institute
from iot_network.staff.scoping import scope_of

from .periods import Period, academic_year, academic_year_of

CUSTOM = "custom"
NETWORK_CHOICE = "network"
MAX_PERIOD = timedelta(days=366 * 5)


class ReportForm(forms.Form):
    scope = forms.ChoiceField(label="Report on")
    year = forms.ChoiceField(
        label="Period",
        help_text="Academic years run from 1 August to 31 July. Equality monitoring figures "
        "are given for whole academic years only.",
    )
    start = forms.DateField(
        label="From (for another period)", required=False, help_text="For example, 2025-09-01."
    )
    end = forms.DateField(label="To (for another period)", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        institutes = Institute.objects.for_staff(user).order_by("name")
        choices = [(str(i.pk), i.name) for i in institutes]
        if scope_of(user).national:
            choices.insert(0, (NETWORK_CHOICE, "The whole network"))
        self.fields["scope"].choices = choices
        self.institutes = {str(i.pk): i for i in institutes}
        current = academic_year_of(timezone.localdate())
        years = [academic_year(current.start.year - n) for n in range(5)]
        self.fields["year"].choices = [
            *((str(p.start.year), p.label) for p in years),
            (CUSTOM, "Another period (give the dates below)"),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("year") == CUSTOM:
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start:
                self.add_error("start", "Enter the first day of the period.")
            if not end:
                self.add_error("end", "Enter the last day of the period.")
            if start and end and end < start:
                self.add_error("end", "The last day must be on or after the first.")
            if start and end and end - start > MAX_PERIOD:
                self.add_error("end", "Choose a period of five years or less.")
        return cleaned

    @property
    def institute(self) -> Institute | None:
        scope = self.cleaned_data["scope"]
        return None if scope == NETWORK_CHOICE else self.institutes[scope]

    @property
    def period(self) -> Period:
        data = self.cleaned_data
        if data["year"] == CUSTOM:
            start, end = data["start"], data["end"]
            return Period(start=start, end=end, label=f"{start:%d %b %Y} to {end:%d %b %Y}")
        return academic_year(int(data["year"]))
