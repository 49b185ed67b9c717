"""Great-circle distance in the database, portable between PostgreSQL and SQLite."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import F, FloatField, Func, Q, Value
from django.db.models.functions import ACos, Cast, Cos, Least, Radians, Sin

EARTH_RADIUS_MILES = 3958.8


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


def distance_miles(point: Point, *, lat: str = "latitude", lon: str = "longitude") -> Func:
    """Haversine (spherical law of cosines) from ``point`` to the row's lat/lon columns."""
    lat_col = Radians(Cast(F(lat), FloatField()))
    lon_col = Radians(Cast(F(lon), FloatField()))
    lat0 = math.radians(point.latitude)
    lon0 = math.radians(point.longitude)
    cosine = Value(math.cos(lat0)) * Cos(lat_col) * Cos(lon_col - Value(lon0)) + Value(
        math.sin(lat0)
    ) * Sin(lat_col)
    # Rounding can push the cosine a hair above 1, where ACOS is undefined.
    return Value(EARTH_RADIUS_MILES) * ACos(Least(cosine, Value(1.0)))


def bounding_box(point: Point, miles: float, *, lat: str = "latitude", lon: str = "longitude") -> Q:
    """A cheap, index-friendly square around the circle, checked before the exact distance."""
    dlat = miles / 69.0
    dlon = miles / max(69.0 * math.cos(math.radians(point.latitude)), 1e-6)
    return Q(
        **{
            f"{lat}__gte": point.latitude - dlat,
            f"{lat}__lte": point.latitude + dlat,
            f"{lon}__gte": point.longitude - dlon,
            f"{lon}__lte": point.longitude + dlon,
        }
    )
