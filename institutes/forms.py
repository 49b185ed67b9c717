from __future__ import annotations

from django import forms

from iot_network.web.geo import Point
from iot_network.web.geocoding import GeocodingError, lookup_postcode

NO_PLACE = "Enter your postcode, or use your current location."


class NearestForm(forms.Form):
    """A postcode, or the browser's location (filled in by static/js/nearest.js)."""

    postcode = forms.CharField(
        label="Postcode", max_length=16, required=False, help_text="For example, DH1 3LH"
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.point: Point | None = None
        self.place_label = ""

    def clean(self):
        data = super().clean()
        if self.errors.get("lat") or self.errors.get("lng"):
            # Only the page's script sets these: say what to do, not which hidden field failed.
            self.errors.pop("lat", None)
            self.errors.pop("lng", None)
            self.add_error(None, "Your location was not a real place. Enter your postcode instead.")
            return data
        lat, lng = data.get("lat"), data.get("lng")
        postcode = (data.get("postcode") or "").strip()
        if (lat is None) != (lng is None):
            self.add_error(None, "Your location was incomplete. Enter your postcode instead.")
        elif lat is not None:
            self.point, self.place_label = Point(lat, lng), "your location"
        elif postcode:
            try:
                self.point = lookup_postcode(postcode)
            except GeocodingError as exc:
                self.add_error("postcode", str(exc))
            else:
                self.place_label = postcode.upper()
        else:
            self.add_error("postcode", NO_PLACE)
        return data
