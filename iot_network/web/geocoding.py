"""Turning a UK postcode into a place, behind one small interface.

The portal uses postcodes.io (free, open data from the ONS Postcode Directory) over HTTPS with a
short timeout; answers are cached, and any failure becomes a GeocodingError whose message can be
shown to the learner as it is.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.cache import cache

from .geo import Point
from .identifiers import normalise_postcode


class GeocodingError(Exception):
    """Carries a message fit to show the learner."""


class GeocodingUnavailable(GeocodingError):
    """The lookup service did not answer: the postcode itself may be fine."""


def lookup_postcode(raw: str) -> Point:
    postcode = normalise_postcode(raw)
    if postcode is None:
        raise GeocodingError("Enter a full UK postcode, like SW1A 1AA.")
    key = "postcode:" + postcode.replace(" ", "")
    cached = cache.get(key)
    if cached is not None:
        if cached == "unknown":
            raise GeocodingError(
                f"We could not find the postcode {postcode}. Check it and try again."
            )
        return Point(*cached)
    url = f"{settings.POSTCODES_API_URL.rstrip('/')}/postcodes/{urllib.parse.quote(postcode)}"
    try:
        with urllib.request.urlopen(url, timeout=settings.POSTCODES_API_TIMEOUT) as response:
            body = json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            cache.set(key, "unknown", 60 * 60 * 24)
            raise GeocodingError(
                f"We could not find the postcode {postcode}. Check it and try again."
            ) from None
        raise GeocodingUnavailable(_UNAVAILABLE) from None
    except (OSError, ValueError):
        raise GeocodingUnavailable(_UNAVAILABLE) from None
    try:
        result = body["result"]
        point = Point(float(result["latitude"]), float(result["longitude"]))
    except (KeyError, TypeError, ValueError):
        # Some postcodes (e.g. new builds, Crown dependencies) have no coordinates.
        raise GeocodingError(f"We cannot place the postcode {postcode} on the map yet.") from None
    cache.set(key, (point.latitude, point.longitude), 60 * 60 * 24 * 30)
    return point


_UNAVAILABLE = (
    "We cannot look up postcodes right now. Try again in a few minutes, use your current "
    "location instead, or search without a postcode."
)
