"""The map's projection: latitude and longitude to the SVG's coordinates.

Plain Python with no Django imports, so that scripts/build_map_outline.py projects the coastline
with exactly the function the pages use for the institutes' markers.

Equirectangular, with longitude scaled by the cosine of 53°N (the middle of England): within
England's six degrees of latitude that keeps shapes within a few per cent of the National Grid's,
which is all a map for finding an institute needs.
"""

from __future__ import annotations

import math

# The area drawn: England and Wales, and the Scottish Borders so the north does not end in a cut.
WEST, EAST = -5.9, 1.95
SOUTH, NORTH = 49.9, 55.95
REFERENCE_LATITUDE = 53.0

WIDTH = 500  # SVG user units; the height follows from the area's shape
_X_SCALE = math.cos(math.radians(REFERENCE_LATITUDE))
_UNITS_PER_DEGREE = WIDTH / ((EAST - WEST) * _X_SCALE)
HEIGHT = round((NORTH - SOUTH) * _UNITS_PER_DEGREE)


def project(latitude: float, longitude: float) -> tuple[float, float]:
    """SVG x and y (y grows southwards) for a point; outside the area gives values off the map."""
    x = (longitude - WEST) * _X_SCALE * _UNITS_PER_DEGREE
    y = (NORTH - latitude) * _UNITS_PER_DEGREE
    return x, y
